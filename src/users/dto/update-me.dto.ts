import { ApiSchemaExample } from '../../common/openapi/schema-example.js';
import { IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_MAX, PASSWORD_MIN } from './register.dto.js';

// A profile change: e-mail and password changes need the account's current password, which no example can know.
@ApiSchemaExample({ firstName: 'Ada', lastName: 'Lovelace' })
export class UpdateMeDto {
  /** @example "acme_ops" */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{3,50}$/, { message: 'must be 3-50 characters: letters, digits, ".", "_" or "-"' })
  username?: string;

  /** Changing the e-mail needs `currentPassword`. @example "ada@acme.example" */
  @IsOptional()
  @IsEmail()
  @MaxLength(100)
  email?: string;

  /** @example "Ada" */
  @IsOptional()
  @IsString()
  @MaxLength(50)
  firstName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(50)
  lastName?: string;

  /** Changing the password needs `currentPassword`; every refresh token is revoked. */
  @IsOptional()
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  newPassword?: string;

  @IsOptional()
  @IsString()
  @MaxLength(PASSWORD_MAX)
  currentPassword?: string;
}
