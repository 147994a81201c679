// Public surface of the trickle relay.
export { createRelay, normaliseBasePath, DEFAULT_PORT, DEFAULT_MAX_SEGMENT_BYTES, type LocalChannels, type Relay, type RelayOptions } from './server.js';
export { RelayRequestError, type RelayHooks } from './hooks.js';
