export { configSchema, loadConfig, ConfigError, type Config } from './schema.js';
