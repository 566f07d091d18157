import { Matches } from 'class-validator';

/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{6,14}$/;

export const IsE164 = () => Matches(E164, { message: '$property must be an E.164 phone number, e.g. +14155550123' });
