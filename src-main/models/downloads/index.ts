export { DownloadManager, diskReserveBytes, partPathOf, type DownloadManagerOptions, type DownloadRecords } from './manager';
export { hubHeaders, hubOptionsFromEnv, resolveSource, type HubOptions, type ResolvedSource } from './sources';
export { transfer, TransferError, flushEveryBytes, type TransferOptions, type TransferResult } from './transfer';
