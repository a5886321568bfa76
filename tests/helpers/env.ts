/**
 * Where tests find Postgres and Redis. Defaults match this machine (trust auth on 127.0.0.1);
 * override with TEST_DATABASE_ADMIN_URL / TEST_REDIS_URL. Tests use their own database so they never touch real data.
 */
export const adminDatabaseUrl = process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const testDatabaseName = process.env.TEST_DATABASE_NAME ?? "cashback_test";
export const testDatabaseUrl = (() => {
  const u = new URL(adminDatabaseUrl);
  u.pathname = `/${testDatabaseName}`;
  return u.toString();
})();
export const testRedisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/15";
/** APP_SECRET for tests (core calls and the bot processes): any 32+ characters. */
export const testAppSecret = process.env.TEST_APP_SECRET ?? "test-app-secret-0123456789abcdef0123456789abcdef";
