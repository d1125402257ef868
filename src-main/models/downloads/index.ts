export { DownloadManager, diskReserveBytes, partPathOf, type DownloadManagerOptions } from './manager';
export { DownloadStore } from './store';
export { hubHeaders, hubOptionsFromEnv, resolveSource, type HubOptions, type ResolvedSource } from './sources';
export { transfer, TransferError, flushEveryBytes, type TransferOptions, type TransferResult } from './transfer';
