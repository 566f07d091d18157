import { EntityRepository, raw } from '@mikro-orm/postgresql';
import type { User } from './user.entity.js';

export class UserRepository extends EntityRepository<User> {
  /**
   * Login accepts either, in any case: e-mails are stored lower-cased, usernames as registered and matched through
   * the unique index on lower(username).
   */
  findForLogin(login: string): Promise<User | null> {
    return this.findOne(
      login.includes('@') ? { email: login.toLowerCase() } : { [raw('lower(username)')]: login.toLowerCase() },
      { populate: ['passwordHash'] },
    );
  }

  findActiveById(id: number): Promise<User | null> {
    return this.findOne({ id, isActive: true });
  }
}
