import { EntityRepository } from '@mikro-orm/postgresql';
import type { User } from './user.entity.js';

export class UserRepository extends EntityRepository<User> {
  /** Login accepts either; e-mails are stored lower-cased. */
  findForLogin(login: string): Promise<User | null> {
    return this.findOne(
      login.includes('@') ? { email: login.toLowerCase() } : { username: login },
      { populate: ['passwordHash'] },
    );
  }

  findActiveById(id: number): Promise<User | null> {
    return this.findOne({ id, isActive: true });
  }
}
