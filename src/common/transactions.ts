import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs `work` in one transaction on the request's own unit of work (no fork, unlike `em.transactional`): whatever the
 * request changed, persisted or removed before is flushed inside it together with what `work` writes — a change and
 * the event that reports it commit together or not at all.
 */
export async function inTransaction<T>(em: EntityManager, work: (em: EntityManager) => Promise<T>): Promise<T> {
  await em.begin();
  try {
    const result = await work(em);
    await em.commit();
    return result;
  } catch (error) {
    await em.rollback();
    throw error;
  }
}
