export { startDataService, DEFAULT_MAX_BATCH_SIZE, type DataServiceOptions } from './data-service';
