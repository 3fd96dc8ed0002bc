export { startUncertaintyService, type UncertaintyServiceOptions } from './uncertainty-service';
