export { Outbound, loggableUrl, type OutboundOptions } from './outbound';
