import { randomInt } from 'node:crypto';
import { assetNotFound, badRequest, created, noContent, ok } from '../http.js';
import { pageRequestFromQuery, paginate } from '../pagination.js';
import type { Route } from '../router.js';
import type { PhoneNumberView, StoredPhoneNumber } from '../state.js';
import { checkAgentWeights, checkE164, checkFields, checkHttpUrl, type FieldRules, type JsonObject } from '../validation.js';
import type { HandlerContext } from './context.js';

const COMMON_RULES: FieldRules = {
  nickname: { kind: 'string', nullable: true },
  inbound_webhook_url: { kind: 'string', nullable: true },
  inbound_sms_webhook_url: { kind: 'string', nullable: true },
  allowed_inbound_country_list: { kind: 'stringArray', nullable: true },
  allowed_outbound_country_list: { kind: 'stringArray', nullable: true },
  fallback_number: { kind: 'string', nullable: true },
  transport: { kind: 'enum', values: ['TLS', 'TCP', 'UDP'], nullable: true },
};

const BUY_RULES: FieldRules = {
  ...COMMON_RULES,
  phone_number: { kind: 'string' },
  area_code: { kind: 'integer', min: 200, max: 999 },
  country_code: { kind: 'enum', values: ['US', 'CA'] },
  toll_free: { kind: 'boolean' },
  number_provider: { kind: 'enum', values: ['twilio', 'telnyx'] },
};

const IMPORT_RULES: FieldRules = {
  ...COMMON_RULES,
  phone_number: { kind: 'string' },
  termination_uri: { kind: 'string' },
  sip_trunk_auth_username: { kind: 'string' },
  sip_trunk_auth_password: { kind: 'string' },
  ignore_e164_validation: { kind: 'boolean' },
};

const UPDATE_RULES: FieldRules = {
  ...COMMON_RULES,
  termination_uri: { kind: 'string' },
  auth_username: { kind: 'string' },
  auth_password: { kind: 'string' },
};

/** Fields copied verbatim into the stored number when present (null clears them). */
const PLAIN_FIELDS = [
  'nickname',
  'inbound_webhook_url',
  'inbound_sms_webhook_url',
  'allowed_inbound_country_list',
  'allowed_outbound_country_list',
  'fallback_number',
  'inbound_agents',
  'outbound_agents',
  'inbound_sms_agents',
  'outbound_sms_agents',
] as const;

const TOLL_FREE_AREA_CODES = [800, 833, 844, 855, 866, 877, 888];
const DEFAULT_AREA_CODES: Readonly<Record<'US' | 'CA', readonly number[]>> = {
  US: [415, 650, 212, 312, 213, 617],
  CA: [416, 604, 514],
};

const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)]!;

/** `+1 (415) 777-4444` for North American numbers, the number itself otherwise. */
function prettyPrint(number: string): string {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number);
  return nanp ? `+1 (${nanp[1]}) ${nanp[2]}-${nanp[3]}` : number;
}

const areaCodeOf = (number: string): number | undefined => {
  const nanp = /^\+1(\d{3})\d{7}$/.exec(number);
  return nanp ? Number(nanp[1]) : undefined;
};

export function phoneNumberRoutes(ctx: HandlerContext): Route[] {
  const { state } = ctx;

  function findNumber(number: string): StoredPhoneNumber {
    const stored = state.phoneNumbers.get(number);
    if (!stored) throw assetNotFound();
    return stored;
  }

  function checkCommon(body: JsonObject, rules: FieldRules): void {
    checkFields(body, rules);
    checkHttpUrl(body.inbound_webhook_url, 'inbound_webhook_url');
    checkHttpUrl(body.inbound_sms_webhook_url, 'inbound_sms_webhook_url');
    for (const field of ['inbound_agents', 'outbound_agents', 'inbound_sms_agents', 'outbound_sms_agents']) {
      checkAgentWeights(body[field], field, (agentId) => state.agents.has(agentId));
    }
  }

  /** A free number in the requested area (NANP subscriber numbers never start with 0 or 1). */
  function generateNumber(areaCode: number): string {
    for (;;) {
      const candidate = `+1${areaCode}${randomInt(2, 10)}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
      if (!state.phoneNumbers.has(candidate)) return candidate;
    }
  }

  function store(number: string, type: PhoneNumberView['phone_number_type'], body: JsonObject, extra: Partial<PhoneNumberView>): PhoneNumberView {
    if (state.phoneNumbers.has(number)) throw badRequest(`Phone number ${number} already exists.`);
    const areaCode = areaCodeOf(number);
    const view: PhoneNumberView = {
      phone_number: number,
      phone_number_type: type,
      phone_number_pretty: prettyPrint(number),
      ...(areaCode !== undefined && { area_code: areaCode }),
      ...extra,
      last_modification_timestamp: ctx.now(),
    };
    copyPlainFields(view, body);
    state.phoneNumbers.set(number, { seq: state.nextSeq(), view });
    return view;
  }

  return [
    {
      method: 'POST',
      path: '/create-phone-number',
      handler: ({ body }) => {
        checkCommon(body, BUY_RULES);
        const country = (body.country_code ?? 'US') as 'US' | 'CA';
        let number: string;
        if (body.phone_number !== undefined) {
          number = checkE164(body.phone_number, 'phone_number');
          if (!number.startsWith('+1')) throw badRequest('Only US and CA numbers can be purchased.');
        } else {
          const areaCode = body.toll_free === true ? pick(TOLL_FREE_AREA_CODES) : ((body.area_code as number | undefined) ?? pick(DEFAULT_AREA_CODES[country]));
          number = generateNumber(areaCode);
        }
        const type = body.number_provider === 'telnyx' ? 'retell-telnyx' : 'retell-twilio';
        return created(store(number, type, body, {}));
      },
    },
    {
      method: 'POST',
      path: '/import-phone-number',
      handler: ({ body }) => {
        if (typeof body.phone_number !== 'string' || body.phone_number === '') throw badRequest('phone_number is required.');
        if (typeof body.termination_uri !== 'string' || body.termination_uri === '') throw badRequest('termination_uri is required.');
        checkCommon(body, IMPORT_RULES);
        // Retell skips E.164 validation on import unless asked not to (pseudo numbers for custom telephony).
        if (body.ignore_e164_validation === false) checkE164(body.phone_number, 'phone_number');
        const view = store(body.phone_number, 'custom', body, {
          sip_outbound_trunk_config: {
            termination_uri: body.termination_uri,
            auth_username: (body.sip_trunk_auth_username as string | undefined) ?? null,
            transport: (body.transport as string | null | undefined) ?? 'TCP',
          },
        });
        if (typeof body.sip_trunk_auth_password === 'string') state.phoneNumbers.get(view.phone_number)!.sipAuthPassword = body.sip_trunk_auth_password;
        return created(view);
      },
    },
    {
      method: 'GET',
      path: '/get-phone-number/{phone_number}',
      handler: ({ params }) => ok(findNumber(params.phone_number!).view),
    },
    {
      method: 'PATCH',
      path: '/update-phone-number/{phone_number}',
      handler: ({ params, body }) => {
        const stored = findNumber(params.phone_number!);
        checkCommon(body, UPDATE_RULES);
        const trunkFields = ['termination_uri', 'auth_username', 'auth_password'].filter((field) => body[field] !== undefined);
        if (trunkFields.length > 0 && stored.view.phone_number_type !== 'custom') {
          throw badRequest(`${trunkFields.join(', ')} can only be set on imported (custom SIP) numbers.`);
        }
        copyPlainFields(stored.view, body);
        updateTrunk(stored, body);
        stored.view.last_modification_timestamp = ctx.now();
        return ok(stored.view);
      },
    },
    {
      method: 'DELETE',
      path: '/delete-phone-number/{phone_number}',
      handler: ({ params }) => {
        const stored = findNumber(params.phone_number!);
        state.phoneNumbers.delete(stored.view.phone_number);
        state.tombstones.set(stored.view.phone_number, [stored.seq, 0]);
        return noContent();
      },
    },
    {
      method: 'GET',
      path: '/v2/list-phone-numbers',
      handler: ({ query }) => {
        const page = paginate([...state.phoneNumbers.values()], pageRequestFromQuery(query), {
          keyOf: (stored) => stored.view.phone_number,
          sortKeyOf: (stored) => [stored.seq, 0],
          cursorSortKey: (key) => (state.phoneNumbers.has(key) ? [state.phoneNumbers.get(key)!.seq, 0] : state.tombstones.get(key)),
        });
        return ok({ ...page, items: page.items.map((stored) => stored.view) });
      },
    },
  ];
}

function copyPlainFields(view: PhoneNumberView, body: JsonObject): void {
  const target = view as unknown as JsonObject;
  for (const field of PLAIN_FIELDS) if (body[field] !== undefined) target[field] = body[field];
}

/** The SIP trunk of an imported number; the password is kept but, as at Retell, never returned. */
function updateTrunk(stored: StoredPhoneNumber, body: JsonObject): void {
  const trunk = stored.view.sip_outbound_trunk_config;
  if (!trunk) return;
  if (typeof body.termination_uri === 'string') trunk.termination_uri = body.termination_uri;
  if (typeof body.auth_username === 'string') trunk.auth_username = body.auth_username;
  if (body.transport !== undefined) trunk.transport = body.transport as string | null;
  if (typeof body.auth_password === 'string') stored.sipAuthPassword = body.auth_password;
}
