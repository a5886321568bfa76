// The one place drizzle (and drizzle-kit) finds every table; importing it opens no connection.
export * from "./clients.js";
export * from "./partners.js";
export * from "./ledger.js";
export * from "./feedback.js";
export * from "./operations.js";
export * from "./analytics.js";
export * from "./broadcasts.js";
export * from "./web.js";
