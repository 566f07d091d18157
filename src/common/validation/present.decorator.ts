import { ValidateIf } from 'class-validator';

/**
 * For PATCH fields backed by NOT NULL columns: the field may be left out, but `null` is validated (and refused) like
 * any other value. `@IsOptional()` — and so `PartialType` — would let `null` through to the database.
 */
export const IsOmittable = () => ValidateIf((_object: object, value: unknown) => value !== undefined);
