/** The service version reported by the OpenAPI description and logs. Kept in step with package.json. */
export const VERSION = '0.2.0';
