import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ValidationFailedException } from '../errors/app-exceptions.js';

const MAX_SERIAL = 2_147_483_647;

/** Path ids are positive 32-bit integers (SERIAL); anything else is a 400, never a database error. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata?: ArgumentMetadata): number {
    const id = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(id) || id < 1 || id > MAX_SERIAL) {
      throw new ValidationFailedException([{ field: metadata?.data ?? 'id', messages: ['must be a positive integer id'] }]);
    }
    return id;
  }
}
