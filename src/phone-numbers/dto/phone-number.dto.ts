import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { ApiSchemaExample } from '../../common/openapi/schema-example.js';
import { PageOf, PageQueryDto } from '../../common/pagination/page.dto.js';
import { IsOmittable } from '../../common/validation/present.decorator.js';
import { IsE164 } from '../../common/validation/phone-number.js';
import type { PhoneNumber, PhoneNumberType } from '../phone-number.entity.js';

export class BuyPhoneNumberDto {
  /** US/CA area code to buy in. @example 415 */
  @IsOmittable()
  @IsInt()
  @Min(200)
  @Max(999)
  areaCode?: number;

  /** Retell sells US and CA numbers. @example "US" */
  @IsOmittable()
  @IsIn(['US', 'CA'])
  countryCode?: 'US' | 'CA';

  /** Buy a toll-free number instead of a local one. */
  @IsOmittable()
  @IsBoolean()
  tollFree?: boolean;

  /** @example "Front desk" */
  @IsOmittable()
  @IsString()
  @MaxLength(100)
  nickname?: string;
}

export class ImportPhoneNumberDto {
  /** The number to bring over SIP, E.164. @example "+12125550147" */
  @IsE164()
  phoneNumber: string;

  /** Your SIP trunk's termination host, without scheme. @example "acme.pstn.twilio.com" */
  @IsString()
  @MaxLength(255)
  @Matches(/^[A-Za-z0-9.-]+(:\d{1,5})?(;[A-Za-z0-9=;_-]*)?$/, { message: 'terminationUri must be a SIP host such as acme.pstn.twilio.com' })
  terminationUri: string;

  /** SIP trunk credentials: passed to Retell, never stored, returned or logged. @example "acme-trunk" */
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  sipTrunkAuthUsername?: string;

  /** @example "trunk-password-from-your-carrier" */
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  sipTrunkAuthPassword?: string;

  /** @example "New York office" */
  @IsOmittable()
  @IsString()
  @MaxLength(100)
  nickname?: string;
}

// Without `agentId`: an example id would not be one of the caller's agents.
@ApiSchemaExample({ isActive: true, nickname: 'Front desk (after hours)' })
export class UpdatePhoneNumberDto {
  /** Move the number to another of your agents (inbound and outbound). @example 12 */
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  agentId?: number;

  /** false unbinds the number at Retell (calls to it go unanswered); true binds it again. @example true */
  @IsOmittable()
  @IsBoolean()
  isActive?: boolean;

  /** null clears it. @example "Front desk (after hours)" */
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(100)
  nickname?: string | null;
}

export class PhoneNumberListQueryDto extends PageQueryDto {
  /** Only this agent's numbers. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  agentId?: number;
}

export class PhoneNumberResponseDto {
  /** @example 3 */
  id: number;
  /** @example "+14155550123" */
  phoneNumber: string;
  /** The agent answering and placing calls with it. @example 12 */
  agentId: number;
  isActive: boolean;
  nickname: string | null;
  /** @example "retell-twilio" */
  numberType: PhoneNumberType;
  createdAt: Date;
  updatedAt: Date;

  static fromEntity(number: PhoneNumber): PhoneNumberResponseDto {
    return {
      id: number.id,
      phoneNumber: number.phoneNumber,
      agentId: number.agent.id,
      isActive: number.isActive,
      nickname: number.nickname ?? null,
      numberType: number.numberType,
      createdAt: number.createdAt,
      updatedAt: number.updatedAt,
    };
  }
}

export class PhoneNumberPageDto extends PageOf(PhoneNumberResponseDto) {}
