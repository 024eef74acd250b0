// microdot-ts/cors: Cross-Origin Resource Sharing (Microdot's cors.py).
export { CORS, type CORSOptions } from './cors.js';
