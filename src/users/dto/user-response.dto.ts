import type { User } from '../user.entity.js';

export class UserResponseDto {
  /** @example 1 */
  id: number;
  /** @example "acme_ops" */
  username: string;
  /** @example "ops@acme.example" */
  email: string;
  firstName: string | null;
  lastName: string | null;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;

  static fromEntity(user: User): UserResponseDto {
    return {
      id: user.id,
      username: user.username,
      email: user.email,
      firstName: user.firstName ?? null,
      lastName: user.lastName ?? null,
      isActive: user.isActive,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    };
  }
}

export class TokenPairDto {
  /** Short-lived JWT for `Authorization: Bearer`. */
  accessToken: string;
  /** @example "Bearer" */
  tokenType: 'Bearer';
  /** Seconds until the access token expires. @example 900 */
  expiresIn: number;
  /** Opaque, single-use; exchange at POST /auth/refresh. */
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}
