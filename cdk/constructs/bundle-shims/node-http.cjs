// node:http for the handler bundles, taken through process.getBuiltinModule instead of an ESM import: Node 22's
// ESM facade of node:http reads every export, and its lazy WebSocket/CloseEvent/MessageEvent getters then load
// undici, about 30 ms of every cold start spent on code we never call (nodejs/node#57649, #59686).
module.exports = process.getBuiltinModule('node:http');
