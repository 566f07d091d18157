import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { ResourceNotFoundException } from '../common/errors/app-exceptions.js';
import type { Page } from '../common/pagination/page.dto.js';
import { canonicalTimeZone } from '../common/validation/time-zone.js';
import { User } from '../users/user.entity.js';
import { Contact } from './contact.entity.js';
import { CONTACT_PAGES, ContactRepository } from './contact.repository.js';
import type { CreateContactDto, ImportContactsResponseDto, ListContactsQueryDto, UpdateContactDto } from './dto/contact.dto.js';
import { readImportRows, type ImportSource } from './contacts-import.js';

/** Rows per upsert statement: one statement per batch, never one per row. */
const IMPORT_BATCH = 1000;

@Injectable()
export class ContactsService {
  constructor(
    private readonly contacts: ContactRepository,
    private readonly em: EntityManager,
  ) {}

  /** A second contact with the same number is refused by the unique index (409), also under concurrency. */
  async create(ownerId: number, dto: CreateContactDto): Promise<Contact> {
    const contact = this.contacts.create({
      user: this.em.getReference(User, ownerId),
      phoneNumber: dto.phoneNumber,
      name: dto.name ?? null,
      email: dto.email ?? null,
      timezone: dto.timezone ? canonicalTimeZone(dto.timezone) : null,
      dynamicVariables: dto.dynamicVariables ?? null,
      doNotCall: dto.doNotCall ?? false,
      blocked: dto.blocked ?? false,
      notes: dto.notes ?? null,
    });
    await this.em.persist(contact).flush();
    return contact;
  }

  list(ownerId: number, query: ListContactsQueryDto): Promise<Page<Contact>> {
    return this.contacts.findPageForOwner(ownerId, { q: query.q, doNotCall: query.doNotCall }, CONTACT_PAGES.request(query.limit, query.cursor));
  }

  async get(ownerId: number, id: number): Promise<Contact> {
    const contact = await this.contacts.findForOwner(ownerId, id);
    if (!contact) throw new ResourceNotFoundException('Contact');
    return contact;
  }

  async update(ownerId: number, id: number, dto: UpdateContactDto): Promise<Contact> {
    const contact = await this.get(ownerId, id);
    const { timezone, ...rest } = dto;
    for (const [key, value] of Object.entries(rest)) if (value !== undefined) Object.assign(contact, { [key]: value });
    if (timezone !== undefined) contact.timezone = timezone === null ? null : canonicalTimeZone(timezone);
    await this.em.flush();
    return contact;
  }

  /** Calls keep their history: their `contact_id` is set to NULL by the foreign key. */
  async remove(ownerId: number, id: number): Promise<void> {
    const contact = await this.get(ownerId, id);
    await this.em.remove(contact).flush();
  }

  /**
   * Reads the whole source first (streamed and validated row by row, stopping at the row cap), then writes every valid
   * row in one short transaction of batch upserts: a body that breaks off or passes the cap writes nothing, and no
   * transaction stays open while a slow client uploads.
   */
  async import(ownerId: number, source: ImportSource, dryRun: boolean): Promise<ImportContactsResponseDto> {
    const { valid, invalid } = await readImportRows(source);
    let created = 0;
    let updated = 0;
    if (dryRun) {
      for (let i = 0; i < valid.length; i += IMPORT_BATCH) {
        const batch = valid.slice(i, i + IMPORT_BATCH);
        const existing = await this.contacts.idsByNumber(ownerId, batch.map((row) => row.phone_number));
        updated += existing.size;
        created += batch.length - existing.size;
      }
    } else if (valid.length > 0) {
      await this.em.transactional(async (em) => {
        const contacts = em.getRepository(Contact) as ContactRepository;
        for (let i = 0; i < valid.length; i += IMPORT_BATCH) {
          const counts = await contacts.upsertBatch(ownerId, valid.slice(i, i + IMPORT_BATCH));
          created += counts.created;
          updated += counts.updated;
        }
      });
    }
    return { created, updated, invalid, dryRun };
  }
}
