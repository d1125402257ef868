export { DownloadManager, type DownloadManagerOptions } from './manager';
export { diskReserveBytes, partPathOf } from './planner';
export type { DownloadRecords } from './records';
export { hubHeaders, hubOptionsFromEnv, resolveSource, type HubOptions, type ResolvedSource } from './sources';
