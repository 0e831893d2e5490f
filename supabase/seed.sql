-- Development data, applied by `npm run stack -- start` on a new database and by `npm run stack -- reset`.
-- Users sign in through the Google/Apple emulators; nothing needs seeding for that.
select 1;
