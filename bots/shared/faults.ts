import type { StorageAdapter } from "grammy";

/**
 * TEST-ONLY fault injection, off unless FAULT_CRASH_BEFORE_CONVERSATION_SAVE=1 (never set it in production).
 * The process kills itself (SIGKILL: no shutdown handler runs) at its first write or delete of a conversation's
 * state — that is, after a step's side effects (a database write, the replies) but before the conversation
 * plugin has recorded that the step happened. Telegram then delivers the update again and the conversation
 * replays that step: the restart-safety tests (tests/e2e/restart-*.test.ts) check that the replay writes nothing twice.
 */
export function crashBeforeFirstSave<T>(adapter: StorageAdapter<T>, enabled: boolean): StorageAdapter<T> {
  if (!enabled) return adapter;
  const crash = (): Promise<never> => {
    process.kill(process.pid, "SIGKILL");
    return new Promise<never>(() => {});
  };
  return { ...adapter, read: (key) => adapter.read(key), write: () => crash(), delete: () => crash() };
}
