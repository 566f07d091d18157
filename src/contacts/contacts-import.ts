import type { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ApiException, ValidationFailedException } from '../common/errors/app-exceptions.js';
import { flattenValidationErrors } from '../common/errors/validation.js';
import { canonicalTimeZone } from '../common/validation/time-zone.js';
import type { ContactUpsertRow } from './contact.repository.js';
import { CreateContactDto, type ImportRowErrorDto } from './dto/contact.dto.js';

export const MAX_IMPORT_ROWS = 10_000;
/** The CSV body is read as a stream, so Fastify's body limit does not apply: this cap does. */
export const MAX_CSV_BYTES = 32 * 1024 * 1024;
const MAX_CSV_RECORD_BYTES = 64 * 1024;

export type ImportSource = { kind: 'csv'; stream: Readable } | { kind: 'json'; rows: unknown };

/** Column (CSV header) or key (JSON) → the column it sets. */
const FIELDS: Record<string, string> = {
  phoneNumber: 'phone_number',
  name: 'name',
  email: 'email',
  timezone: 'timezone',
  dynamicVariables: 'dynamic_variables',
  doNotCall: 'do_not_call',
  blocked: 'blocked',
  notes: 'notes',
};
const VARIABLE_COLUMN = /^dynamicVariables\.(.+)$/;
const BOOLEANS: Record<string, boolean> = { true: true, false: false, yes: true, no: false, '1': true, '0': false };

const tooMany = () => new ApiException(413, `An import takes at most ${MAX_IMPORT_ROWS} rows; nothing was imported`);

/** Validates rows as they arrive; valid ones are kept (at most MAX_IMPORT_ROWS, so memory stays bounded). */
class RowCollector {
  readonly valid: ContactUpsertRow[] = [];
  readonly invalid: ImportRowErrorDto[] = [];
  private readonly seen = new Map<string, number>();
  private count = 0;

  /** A row refused as a whole (a CSV record whose cells do not match the header). */
  refuse(field: string, message: string): void {
    const row = this.next();
    this.invalid.push({ row, field, message });
  }

  private next(): number {
    const row = ++this.count;
    if (row > MAX_IMPORT_ROWS) throw tooMany();
    return row;
  }

  async add(input: unknown): Promise<void> {
    const row = this.next();
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      this.invalid.push({ row, field: 'row', message: 'must be an object' });
      return;
    }
    const dto = plainToInstance(CreateContactDto, input);
    const errors = flattenValidationErrors(await validate(dto, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } }));
    const first = typeof dto.phoneNumber === 'string' ? this.seen.get(dto.phoneNumber) : undefined;
    if (first !== undefined) errors.push({ field: 'phoneNumber', messages: [`repeats the number of row ${first}`] });
    if (errors.length > 0) {
      for (const error of errors) this.invalid.push({ row, field: error.field, message: error.messages.join('; ') });
      return;
    }
    this.seen.set(dto.phoneNumber, row);
    const given = Object.keys(input).filter((key) => (input as Record<string, unknown>)[key] !== undefined).map((key) => FIELDS[key]!);
    this.valid.push({
      phone_number: dto.phoneNumber,
      name: dto.name ?? null,
      email: dto.email ?? null,
      timezone: dto.timezone ? canonicalTimeZone(dto.timezone) : null,
      dynamic_variables: dto.dynamicVariables ?? null,
      do_not_call: dto.doNotCall,
      blocked: dto.blocked,
      notes: dto.notes ?? null,
      given,
    });
  }
}

/** A CSV record as the JSON row it stands for: empty cells are left out (they keep the contact's value). */
function csvRecordToRow(header: string[], record: string[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  header.forEach((column, index) => {
    const cell = record[index];
    if (cell === undefined || cell === '') return;
    const variable = VARIABLE_COLUMN.exec(column);
    if (variable) {
      row.dynamicVariables = { ...(row.dynamicVariables as object | undefined), [variable[1]!]: cell };
    } else if (column === 'doNotCall' || column === 'blocked') {
      row[column] = BOOLEANS[cell.trim().toLowerCase()] ?? cell;
    } else {
      row[column] = cell;
    }
  });
  return row;
}

function checkHeader(header: string[]): void {
  const problems = header.filter((column) => !Object.hasOwn(FIELDS, column) && !VARIABLE_COLUMN.test(column));
  const messages = problems.map((column) => `unknown column "${column}"`);
  if (!header.includes('phoneNumber')) messages.push('a phoneNumber column is required');
  if (new Set(header).size !== header.length) messages.push('a column is named twice');
  if (messages.length > 0) throw new ValidationFailedException([{ field: 'header', messages }], 'The CSV header is not valid');
}

async function readCsv(stream: Readable, rows: RowCollector): Promise<void> {
  const parser = parse({ bom: true, skip_empty_lines: true, trim: false, max_record_size: MAX_CSV_RECORD_BYTES, relax_column_count: true });
  let bytes = 0;
  const onData = (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_CSV_BYTES) stream.unpipe(parser) && parser.destroy(new ApiException(413, `A CSV import is at most ${MAX_CSV_BYTES} bytes; nothing was imported`));
  };
  stream.on('data', onData);
  stream.on('error', (error) => parser.destroy(error));
  stream.pipe(parser);
  let header: string[] | undefined;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = record.map((column) => column.trim());
        checkHeader(header);
        continue;
      }
      if (record.length !== header.length) rows.refuse('row', `has ${record.length} cells; the header has ${header.length}`);
      else await rows.add(csvRecordToRow(header, record));
    }
  } catch (error) {
    if (error instanceof CsvError) throw new ValidationFailedException([{ field: 'body', messages: [error.message] }], 'The CSV body is not valid');
    throw error;
  } finally {
    stream.off('data', onData);
    stream.unpipe(parser);
    parser.destroy();
  }
  if (!header) throw new ValidationFailedException([{ field: 'header', messages: ['the CSV body is empty: a header line is required'] }], 'The CSV header is not valid');
}

/** Reads an import source row by row; a bad row is reported, not fatal; a bad header or too many rows is. */
export async function readImportRows(source: ImportSource): Promise<{ valid: ContactUpsertRow[]; invalid: ImportRowErrorDto[] }> {
  const rows = new RowCollector();
  if (source.kind === 'csv') {
    await readCsv(source.stream, rows);
  } else {
    if (!Array.isArray(source.rows)) throw new ValidationFailedException([{ field: 'body', messages: ['must be an array of contacts or a CSV (text/csv)'] }]);
    if (source.rows.length > MAX_IMPORT_ROWS) throw tooMany();
    for (const row of source.rows) await rows.add(row);
  }
  return { valid: rows.valid, invalid: rows.invalid };
}
