// parley-chat-protocol: everything server and clients share about the wire.
export * from './catalogue.js';
export * from './frames.js';
export * from './rest.js';
