export { Outbound, loggableUrl } from './outbound';
