import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 10: the login throttle's shared counter, and usernames and e-mails unique whatever their case.
 *
 * Existing rows that differ only by case cannot both keep their values under the new indexes:
 * - usernames: the oldest account keeps its name; each later one becomes `<name>-<id>` (still a valid username) and
 *   can still log in by its e-mail, which is unique;
 * - e-mails: the app always stored them lower-cased, so duplicates can only come from writes outside it. Renaming an
 *   inbox would lock its owner out, so the migration stops and names the accounts (by id) for a person to resolve.
 */
export class Migration20261201231608 extends Migration {

  override name = 'Migration20261201231608';

  override up(): void | Promise<void> {
    this.addSql(`create table "login_attempts" ("key_hash" varchar(64) not null, "window_start" timestamp not null, "attempts" int not null, primary key ("key_hash"));`);

    this.addSql(`do $$
      declare duplicates text;
      begin
        select string_agg(ids, '; ') into duplicates
          from (select string_agg(id::text, ', ' order by id) as ids from "users" group by lower("email") having count(*) > 1) d;
        if duplicates is not null then
          raise exception 'users.email must be unique ignoring case; accounts sharing an e-mail (ids): %. Change or merge them, then migrate again.', duplicates;
        end if;
      end $$;`);
    this.addSql(`update "users" set "email" = lower("email") where "email" <> lower("email");`);
    this.addSql(`update "users" u set "username" = left(u."username", 50 - length('-' || u."id")) || '-' || u."id"
      where exists (select 1 from "users" o where lower(o."username") = lower(u."username") and o."id" < u."id");`);

    this.addSql(`create unique index "users_email_lower_unique" on "users" (lower("email"));`);
    this.addSql(`create unique index "users_username_lower_unique" on "users" (lower("username"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "login_attempts" cascade;`);

    this.addSql(`drop index "users_email_lower_unique";`);
    this.addSql(`drop index "users_username_lower_unique";`);
  }

}
