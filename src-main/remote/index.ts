export { listRemoteModels, remoteChat, remoteTemplateName, type RemoteTarget } from './client';
