import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Matches,
  Max,
  Min,
  registerDecorator,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ApiSchemaExample } from '../../common/openapi/schema-example.js';
import { IsOmittable } from '../../common/validation/present.decorator.js';
import { IsTimeZone } from '../../common/validation/time-zone.js';
import { WEEKDAYS, type AfterHoursAction, type InboundRouting, type OfficeHours, type Weekday } from '../inbound-routing.entity.js';
import { minutesOf } from '../office-hours.js';

export const MAX_WEBHOOK_TIMEOUT_MS = 3000;
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 1500;
const START = /^([01]\d|2[0-3]):[0-5]\d$/;
const END = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

/** `end` after `start` on the same day (a range never crosses midnight: give two ranges for a night shift). */
function IsAfterStart() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isAfterStart',
      target: target.constructor,
      propertyName,
      options: { message: '$property must be later than start (ranges do not cross midnight; split a night shift in two)' },
      validator: {
        validate: (value: unknown, args) => {
          const start = (args?.object as { start?: unknown }).start;
          if (typeof value !== 'string' || !END.test(value) || typeof start !== 'string' || !START.test(start)) return true; // reported by Matches
          return minutesOf(value) > minutesOf(start);
        },
      },
    });
}

export class OfficeHoursDto {
  /** Days of the week, lower-case three-letter names. @example ["mon","tue","wed","thu","fri"] */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(7)
  @ArrayUnique()
  @IsIn(WEEKDAYS, { each: true, message: `each value in days must be one of ${WEEKDAYS.join(', ')}` })
  days: Weekday[];

  /** Opening time, `HH:mm` (00:00–23:59) in the routing's time zone, included. @example "09:00" */
  @IsString()
  @Matches(START, { message: 'start must be a time HH:mm between 00:00 and 23:59' })
  start: string;

  /** Closing time, `HH:mm` (00:01–24:00), excluded; later than `start`. @example "17:30" */
  @IsString()
  @Matches(END, { message: 'end must be a time HH:mm between 00:01 and 24:00' })
  @IsAfterStart()
  end: string;
}

/** `afterHours.agentId` names the after-hours agent: with `reject` there is none, and naming one is a mistake. */
function NotWithReject() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'notWithReject',
      target: target.constructor,
      propertyName,
      options: { message: '$property must not be given with action reject' },
      validator: { validate: (value: unknown, args) => !((args?.object as AfterHoursDto).action === 'reject' && value !== undefined) },
    });
}

export class AfterHoursDto {
  /** `agent`: another of your agents answers; `reject`: the call is refused. @example "agent" */
  @IsIn(['agent', 'reject'])
  action: AfterHoursAction;

  /** Required with `agent`, refused with `reject`: one of your agents. @example 14 */
  @ValidateIf((object: AfterHoursDto, value: unknown) => object.action === 'agent' || value !== undefined)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  @NotWithReject()
  agentId?: number;
}

// Without an after-hours agentId: an example id would not be one of the caller's agents.
@ApiSchemaExample({
  timezone: 'America/New_York',
  hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:30' }, { days: ['sat'], start: '10:00', end: '14:00' }],
  afterHours: { action: 'reject' },
  lookupContacts: true,
  webhookUrl: 'https://crm.example.com/retell/inbound',
  webhookTimeoutMs: 1500,
})
export class PutInboundRoutingDto {
  /** IANA time zone the hours are read in. @example "America/New_York" */
  @IsString()
  @IsTimeZone()
  timezone: string;

  /** Office hours: the number's own agent answers within them. Empty: always after hours. */
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => OfficeHoursDto)
  hours: OfficeHoursDto[];

  /** What happens outside office hours. */
  @IsObject()
  @ValidateNested()
  @Type(() => AfterHoursDto)
  afterHours: AfterHoursDto;

  /** Look the caller up among your contacts: blocked contacts are refused, others greeted with their details. Default true. */
  @IsOmittable()
  @IsBoolean()
  lookupContacts?: boolean;

  /**
   * Your own system, asked first for every call (Standard Webhooks-signed POST); it may answer `{ agentId?,
   * dynamicVariables?, reject? }`. Same URL rules as webhook endpoints. @example "https://crm.example.com/retell/inbound"
   */
  @IsOmittable()
  @IsString()
  webhookUrl?: string;

  /** How long your system has to answer (ms, at most 3000); past it the rules answer. Default 1500. @example 1500 */
  @IsOmittable()
  @IsInt()
  @Min(100)
  @Max(MAX_WEBHOOK_TIMEOUT_MS)
  webhookTimeoutMs?: number;

  /** Make a new signing secret for `webhookUrl` (it is shown once, in this response). */
  @IsOmittable()
  @IsBoolean()
  rotateSecret?: boolean;
}

export class AfterHoursResponseDto {
  /** @example "agent" */
  action: AfterHoursAction;
  /** The after-hours agent, with `agent`. @example 14 */
  agentId: number | null;
}

export class InboundRoutingResponseDto {
  /** @example 3 */
  phoneNumberId: number;
  /** @example "America/New_York" */
  timezone: string;
  hours: OfficeHoursDto[];
  afterHours: AfterHoursResponseDto;
  /** @example true */
  lookupContacts: boolean;
  /** @example "https://crm.example.com/retell/inbound" */
  webhookUrl: string | null;
  /** @example 1500 */
  webhookTimeoutMs: number;
  /**
   * The Standard Webhooks secret your system verifies our requests with: present only in the PUT response that made it
   * (the first with a `webhookUrl`, or `rotateSecret: true`). Store it; it is not shown again.
   * @example "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
   */
  signingSecret?: string;
  createdAt: Date;
  updatedAt: Date;

  static fromEntity(routing: InboundRouting, signingSecret?: string): InboundRoutingResponseDto {
    return {
      phoneNumberId: routing.phoneNumber.id,
      timezone: routing.timezone,
      hours: routing.hours.map((range: OfficeHours) => ({ days: [...range.days], start: range.start, end: range.end })),
      afterHours: { action: routing.afterHoursAction, agentId: routing.afterHoursAgent?.id ?? null },
      lookupContacts: routing.lookupContacts,
      webhookUrl: routing.webhookUrl ?? null,
      webhookTimeoutMs: routing.webhookTimeoutMs,
      ...(signingSecret !== undefined && { signingSecret }),
      createdAt: routing.createdAt,
      updatedAt: routing.updatedAt,
    };
  }
}
