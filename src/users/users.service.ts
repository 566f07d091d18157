import { Injectable } from '@nestjs/common';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { ApiException, ValidationFailedException } from '../common/errors/app-exceptions.js';
import type { LoginDto } from './dto/login.dto.js';
import type { RegisterDto } from './dto/register.dto.js';
import type { UpdateMeDto } from './dto/update-me.dto.js';
import type { TokenPairDto } from './dto/user-response.dto.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordHasher } from './password-hasher.js';
import { TokenService } from './token.service.js';
import { User } from './user.entity.js';
import { UserRepository } from './user.repository.js';

const DUPLICATE = 'A user with this username or e-mail already exists';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UserRepository,
    private readonly em: EntityManager,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
  ) {}

  async register(dto: RegisterDto): Promise<User> {
    const user = this.users.create({
      username: dto.username,
      email: dto.email.toLowerCase(),
      passwordHash: await this.hasher.hash(dto.password),
      firstName: dto.firstName ?? null,
      lastName: dto.lastName ?? null,
    });
    // The unique indexes decide (no check-then-insert race); the filter would say 409 too, this names the cause.
    await this.em.persist(user).flush().catch(rethrowDuplicate);
    return user;
  }

  async login(dto: LoginDto, ip: string): Promise<TokenPairDto> {
    const user = await this.users.findForLogin(dto.login);
    // An unknown login is counted and answered like a known one (same 401, same 429 after the limit, a password
    // check of the same cost), so neither the status nor the timing tells whether an account exists.
    const subject = user ? { userId: user.id } : { unknownLogin: dto.login };
    await this.throttle.take(subject, ip);
    const passwordOk = await this.hasher.verify(user?.passwordHash, dto.password);
    // Unknown user, wrong password and deactivated account are one answer.
    if (!user || !passwordOk || !user.isActive) throw new ApiException(401, 'Invalid credentials');
    await this.throttle.clear(subject, ip);
    const pair = this.tokens.issue(user);
    await this.em.flush();
    return pair;
  }

  refresh(refreshToken: string): Promise<TokenPairDto> {
    return this.tokens.rotate(refreshToken);
  }

  async getMe(userId: number): Promise<User> {
    const user = await this.users.findActiveById(userId);
    if (!user) throw new ApiException(401, 'Authentication required');
    return user;
  }

  async updateMe(userId: number, dto: UpdateMeDto): Promise<User> {
    const user = await this.users.findOneOrFail({ id: userId, isActive: true }, { populate: ['passwordHash'] });
    const sensitive = dto.newPassword !== undefined || (dto.email !== undefined && dto.email.toLowerCase() !== user.email);
    if (sensitive) {
      if (dto.currentPassword === undefined) {
        throw new ValidationFailedException([{ field: 'currentPassword', messages: ['is required to change the e-mail or password'] }]);
      }
      if (!(await this.hasher.verify(user.passwordHash, dto.currentPassword))) {
        throw new ValidationFailedException([{ field: 'currentPassword', messages: ['is incorrect'] }]);
      }
    }
    if (dto.username !== undefined) user.username = dto.username;
    if (dto.email !== undefined) user.email = dto.email.toLowerCase();
    if (dto.firstName !== undefined) user.firstName = dto.firstName;
    if (dto.lastName !== undefined) user.lastName = dto.lastName;
    if (dto.newPassword !== undefined) {
      user.passwordHash = await this.hasher.hash(dto.newPassword);
      await this.tokens.revokeAllForUser(userId);
    }
    await this.em.flush().catch(rethrowDuplicate);
    return user;
  }

  /** Deactivation: the account can no longer log in and its tokens and API keys stop working at once. */
  async deactivate(userId: number): Promise<void> {
    await this.em.nativeUpdate(User, { id: userId }, { isActive: false });
    // Belt and braces: refresh already refuses an inactive owner.
    await this.tokens.revokeAllForUser(userId);
  }
}

function rethrowDuplicate(error: unknown): never {
  if (error instanceof UniqueConstraintViolationException) throw new ApiException(409, DUPLICATE);
  throw error;
}
