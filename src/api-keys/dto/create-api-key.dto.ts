import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsIsoDateTime } from '../../common/validation/iso-date-time.js';

export class CreateApiKeyDto {
  /** A name to recognise the key by. @example "CRM integration" */
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  @Matches(/\S/, { message: 'must not be blank' })
  keyName: string;

  /** Optional expiry (ISO 8601, in the future). @example "2030-06-30T00:00:00Z" */
  @IsOptional()
  @IsIsoDateTime()
  expiresAt?: string;
}
