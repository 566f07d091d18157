import { IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

export class RegisterDto {
  /** 3–50 letters, digits, `.`, `_` or `-`. @example "acme_ops" */
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{3,50}$/, { message: 'must be 3-50 characters: letters, digits, ".", "_" or "-"' })
  username: string;

  /** @example "ops@acme.example" */
  @IsEmail()
  @MaxLength(100)
  email: string;

  /** 12–128 characters. @example "correct horse battery staple" */
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password: string;

  /** @example "Ada" */
  @IsOptional()
  @IsString()
  @MaxLength(50)
  firstName?: string;

  /** @example "Lovelace" */
  @IsOptional()
  @IsString()
  @MaxLength(50)
  lastName?: string;
}
