import { IsString, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_MAX } from './register.dto.js';

export class LoginDto {
  /** Username or e-mail. @example "acme_ops" */
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  login: string;

  /** @example "correct horse battery staple" */
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_MAX)
  password: string;
}

export class RefreshDto {
  /** The refresh token from login or the previous refresh; each one works once. @example "rtr_Qm9vZ2xlIGRvZXMgbm90IG1hdHRlciBoZXJl" */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  refreshToken: string;
}
