// The dashboard service: startDashboard({ bus, host, port, faroUrl }) → { url, faroCounts, close }.
export { startDashboard, OWN_FARO_PATH, DEFAULT_FARO_LIMITS, type Dashboard, type DashboardOptions } from './server';
export { dashboardAuthFromEnv, isAuthorized, type DashboardAuth } from './auth';
export type { FaroCounts } from './faro-collector';
export type * from './view/events';
export type { RunSummary, RunView } from './view/runs';
