export { listRemoteModels, remoteChat, remoteTemplateName, type RemoteTarget, type RemoteChatRequest } from './client';
