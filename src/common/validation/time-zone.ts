import { IANAZone } from 'luxon';
import { registerDecorator } from 'class-validator';

/** IANA names start with a letter: `Europe/Berlin`, `UTC`, `Etc/GMT+5`. */
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

/**
 * The time zone name as given, when it is an IANA name this server's time zone data knows, else undefined. Offsets
 * like `+05:30` (which Intl also takes) are refused: a name keeps daylight saving right. The name is not rewritten to
 * ICU's canonical form, which still prefers old spellings (`Asia/Calcutta` for `Asia/Kolkata`).
 */
export function canonicalTimeZone(name: string): string | undefined {
  return IANA_NAME.test(name) && IANAZone.isValidZone(name) ? name : undefined;
}

/** Decorator: an IANA time zone name known to this server's time zone data (luxon / ICU). */
export function IsTimeZone() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isTimeZone',
      target: target.constructor,
      propertyName,
      options: { message: '$property must be an IANA time zone name, e.g. Europe/Berlin' },
      validator: { validate: (value: unknown) => typeof value === 'string' && canonicalTimeZone(value) !== undefined },
    });
}
