export { startDataService, DEFAULT_MAX_BATCH_SIZE, type DataServiceHandle, type DataServiceOptions, type LocalDataService } from './data-service';
