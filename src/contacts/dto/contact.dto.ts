import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsOptional, IsString, MaxLength, registerDecorator, ValidateIf } from 'class-validator';
import { PageOf, PageQueryDto } from '../../common/pagination/page.dto.js';
import { IsE164 } from '../../common/validation/phone-number.js';
import { IsOmittable } from '../../common/validation/present.decorator.js';
import { IsStringRecord } from '../../common/validation/records.js';
import { IsTimeZone } from '../../common/validation/time-zone.js';
import type { Contact } from '../contact.entity.js';
import { ApiSchemaExample } from '../../common/openapi/schema-example.js';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const VARIABLES = { maxKeys: 50, maxValueLength: 1000 };

const storableString = (text: string) => !text.includes('\u0000') && !LONE_SURROGATE.test(text);
/** Strings, and the keys and values of an object of strings (dynamic variables). */
const storable = (value: unknown): boolean =>
  typeof value === 'string'
    ? storableString(value)
    : typeof value !== 'object' || value === null || Object.entries(value).every(([key, item]) => storableString(key) && storable(item));

/** Text PostgreSQL can store: no NUL, no lone UTF-16 surrogate (either would be a database error, not a 400). */
export function IsStorableText() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isStorableText',
      target: target.constructor,
      propertyName,
      options: { message: '$property must not contain NUL characters or lone UTF-16 surrogates' },
      validator: { validate: storable },
    });
}

/** Nullable text fields: `null` clears them; leaving them out keeps them (PATCH) or leaves them empty (create). */
const nullable = () => ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null);

export class CreateContactDto {
  /** E.164; one contact per number. @example "+14155550199" */
  @IsE164()
  phoneNumber: string;

  /** @example "Ada Lovelace" */
  @nullable()
  @IsString()
  @MaxLength(200)
  @IsStorableText()
  name?: string | null;

  /** @example "ada@example.com" */
  @nullable()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string | null;

  /** IANA time zone name. @example "Europe/London" */
  @nullable()
  @IsString()
  @MaxLength(64)
  @IsTimeZone()
  timezone?: string | null;

  /** Prompt variables for calls with this contact; strings only, like a call's. @example {"customer_tier":"gold"} */
  @nullable()
  @IsStringRecord(VARIABLES)
  @IsStorableText()
  dynamicVariables?: Record<string, string> | null;

  /** Never call this number from campaigns. */
  @IsOmittable()
  @IsBoolean()
  doNotCall?: boolean;

  /** Refuse calls from this number. */
  @IsOmittable()
  @IsBoolean()
  blocked?: boolean;

  /** @example "Prefers afternoon calls" */
  @nullable()
  @IsString()
  @MaxLength(10_000)
  @IsStorableText()
  notes?: string | null;
}

/** Every field of a contact may change, the number too (still unique per tenant). */
@ApiSchemaExample({ name: 'Ada King', doNotCall: true, dynamicVariables: { customer_tier: 'platinum' } })
export class UpdateContactDto {
  /** @example "+14155550199" */
  @IsOmittable()
  @IsE164()
  phoneNumber?: string;

  @nullable()
  @IsString()
  @MaxLength(200)
  @IsStorableText()
  name?: string | null;

  @nullable()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string | null;

  /** @example "America/New_York" */
  @nullable()
  @IsString()
  @MaxLength(64)
  @IsTimeZone()
  timezone?: string | null;

  /** Replaces the contact's prompt variables; null clears them. @example {"customer_tier":"platinum"} */
  @nullable()
  @IsStringRecord(VARIABLES)
  @IsStorableText()
  dynamicVariables?: Record<string, string> | null;

  @IsOmittable()
  @IsBoolean()
  doNotCall?: boolean;

  @IsOmittable()
  @IsBoolean()
  blocked?: boolean;

  @nullable()
  @IsString()
  @MaxLength(10_000)
  @IsStorableText()
  notes?: string | null;
}

// No examples on the filters: Swagger UI pre-fills them, so a first "Execute" would silently filter the list.
export class ListContactsQueryDto extends PageQueryDto {
  /** Case-insensitive part of the name or the number; `%` and `_` match literally. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @IsStorableText()
  q?: string;

  /** Only contacts with (true) or without (false) the do-not-call flag. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  doNotCall?: boolean;
}

export class ImportContactsQueryDto {
  /** `true`: validate only, write nothing. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  dryRun?: boolean;
}

export class ContactResponseDto {
  /** @example 12 */
  id: number;
  /** @example "+14155550199" */
  phoneNumber: string;
  /** @example "Ada Lovelace" */
  name: string | null;
  email: string | null;
  /** @example "Europe/London" */
  timezone: string | null;
  /** @example {"customer_tier":"gold"} */
  dynamicVariables: Record<string, string> | null;
  doNotCall: boolean;
  blocked: boolean;
  notes: string | null;
  createdAt: Date;
  updatedAt: Date;

  static fromEntity(contact: Contact): ContactResponseDto {
    return {
      id: contact.id,
      phoneNumber: contact.phoneNumber,
      name: contact.name ?? null,
      email: contact.email ?? null,
      timezone: contact.timezone ?? null,
      dynamicVariables: contact.dynamicVariables ?? null,
      doNotCall: contact.doNotCall,
      blocked: contact.blocked,
      notes: contact.notes ?? null,
      createdAt: contact.createdAt,
      updatedAt: contact.updatedAt,
    };
  }
}

export class ContactPageDto extends PageOf(ContactResponseDto) {}

export class ImportRowErrorDto {
  /** The row's number: 1 is the first data row (a CSV's header line is not counted). @example 3 */
  row: number;
  /** The field at fault, e.g. `phoneNumber`, `dynamicVariables.tier`; `row` for the row as a whole. @example "phoneNumber" */
  field: string;
  /** @example "phoneNumber must be an E.164 phone number, e.g. +14155550123" */
  message: string;
}

export class ImportContactsResponseDto {
  /** Contacts created (with `dryRun`: that would be created). @example 120 */
  created: number;
  /** Existing contacts (same number) updated (with `dryRun`: that would be updated). @example 8 */
  updated: number;
  /** Rows refused, one entry per field at fault; the other rows were imported. */
  invalid: ImportRowErrorDto[];
  /** Whether this was only a validation run. */
  dryRun: boolean;
}
