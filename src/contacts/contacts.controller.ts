import type { Readable } from 'node:stream';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { type AuthPrincipal, CurrentUser } from '../common/auth/current-user.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { mapPage } from '../common/pagination/page.dto.js';
import { ParseIdPipe } from '../common/pagination/parse-id.pipe.js';
import { isCsvRequest } from './csv-body.js';
import { ContactsService } from './contacts.service.js';
import { MAX_IMPORT_ROWS } from './contacts-import.js';
import {
  ContactPageDto,
  ContactResponseDto,
  CreateContactDto,
  ImportContactsQueryDto,
  ImportContactsResponseDto,
  ListContactsQueryDto,
  UpdateContactDto,
} from './dto/contact.dto.js';

@ApiTags('contacts')
@Controller('contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  /** Create a contact. One contact per number: a second one with the same number is a 409. */
  @Post()
  @ApiCreatedResponse({ type: ContactResponseDto })
  @ApiErrors({ 409: 'You already have a contact with this number.' })
  async create(@CurrentUser() caller: AuthPrincipal, @Body() dto: CreateContactDto): Promise<ContactResponseDto> {
    return ContactResponseDto.fromEntity(await this.contacts.create(caller.userId, dto));
  }

  /**
   * Import up to 10,000 contacts, as CSV (`text/csv`, streamed) or a JSON array of contacts (within the JSON body
   * limit). Rows are upserted by number: a known number updates that contact with the fields the row gives (a CSV's
   * empty cell or a missing JSON key keeps the current value). Invalid rows are listed with their row number and
   * field; the valid rows are imported either way. `dryRun=true` validates and counts without writing. CSV: a header
   * line naming the columns `phoneNumber` (required), `name`, `email`, `timezone`, `doNotCall`, `blocked`, `notes`
   * and `dynamicVariables.<key>` for each prompt variable; booleans as true/false, yes/no or 1/0.
   */
  @Post('import')
  @HttpCode(200)
  @ApiConsumes('text/csv', 'application/json')
  @ApiExtraModels(CreateContactDto)
  @ApiBody({
    schema: {
      oneOf: [
        {
          type: 'array',
          description: 'A JSON array of contacts (application/json).',
          maxItems: MAX_IMPORT_ROWS,
          items: { $ref: getSchemaPath(CreateContactDto) },
          example: [{ phoneNumber: '+14155550166', name: 'Grace Hopper', timezone: 'America/New_York' }],
        },
        { type: 'string', description: 'CSV with a header line (text/csv).', example: 'phoneNumber,name,dynamicVariables.tier\n+14155550199,Ada,gold\n' },
      ],
    },
  })
  @ApiOkResponse({ type: ImportContactsResponseDto })
  @ApiErrors({ 413: `More than ${MAX_IMPORT_ROWS} rows (or a CSV over 32 MiB): nothing was imported.` })
  async import(@CurrentUser() caller: AuthPrincipal, @Query() query: ImportContactsQueryDto, @Req() request: FastifyRequest): Promise<ImportContactsResponseDto> {
    const source = isCsvRequest(request) ? { kind: 'csv' as const, stream: request.body as Readable } : { kind: 'json' as const, rows: request.body };
    return this.contacts.import(caller.userId, source, query.dryRun ?? false);
  }

  /** Your contacts, newest first; `q` searches name and number, `doNotCall` filters. */
  @Get()
  @ApiOkResponse({ type: ContactPageDto })
  async list(@CurrentUser() caller: AuthPrincipal, @Query() query: ListContactsQueryDto): Promise<ContactPageDto> {
    return mapPage(await this.contacts.list(caller.userId, query), ContactResponseDto.fromEntity);
  }

  /** One contact. */
  @Get(':id')
  @ApiOkResponse({ type: ContactResponseDto })
  @ApiErrors(404)
  async get(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<ContactResponseDto> {
    return ContactResponseDto.fromEntity(await this.contacts.get(caller.userId, id));
  }

  /** Change a contact; `null` clears a text field. */
  @Patch(':id')
  @ApiOkResponse({ type: ContactResponseDto })
  @ApiErrors(404, { 409: 'You already have a contact with this number.' })
  async update(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number, @Body() dto: UpdateContactDto): Promise<ContactResponseDto> {
    return ContactResponseDto.fromEntity(await this.contacts.update(caller.userId, id, dto));
  }

  /** Delete a contact; its calls stay, without a contact. */
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(404)
  async remove(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.contacts.remove(caller.userId, id);
  }
}
