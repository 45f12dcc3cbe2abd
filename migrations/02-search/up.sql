-- Full-text indexes for search as you type: any word order, case-insensitive in Kazakh, Russian
-- and Latin letters (unicode61 folds the case of Ә Ғ Қ Ң Ө Ұ Ү Һ І as of any other letter). The
-- tokenizer removes Latin diacritics only, so "ё" is folded to "е" here and in the store's query
-- parser: people type "е" for "ё". The indexes are contentless (the rows stay in their tables);
-- prefix indexes keep one- to three-letter prefixes fast.

CREATE VIRTUAL TABLE persons_fts USING fts5 (
    surname, given_name, patronymic,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
CREATE TRIGGER persons_fts_insert AFTER INSERT ON persons BEGIN
    INSERT INTO persons_fts (rowid, surname, given_name, patronymic) VALUES (new.rid, replace(replace(new.surname, 'ё', 'е'), 'Ё', 'Е'), replace(replace(new.given_name, 'ё', 'е'), 'Ё', 'Е'), replace(replace(new.patronymic, 'ё', 'е'), 'Ё', 'Е'));
END;
CREATE TRIGGER persons_fts_delete AFTER DELETE ON persons BEGIN
    DELETE FROM persons_fts WHERE rowid = old.rid;
END;
CREATE TRIGGER persons_fts_update AFTER UPDATE OF surname, given_name, patronymic ON persons BEGIN
    DELETE FROM persons_fts WHERE rowid = old.rid;
    INSERT INTO persons_fts (rowid, surname, given_name, patronymic) VALUES (new.rid, replace(replace(new.surname, 'ё', 'е'), 'Ё', 'Е'), replace(replace(new.given_name, 'ё', 'е'), 'Ё', 'Е'), replace(replace(new.patronymic, 'ё', 'е'), 'Ё', 'Е'));
END;
INSERT INTO persons_fts (rowid, surname, given_name, patronymic) SELECT rid, replace(replace(persons.surname, 'ё', 'е'), 'Ё', 'Е'), replace(replace(persons.given_name, 'ё', 'е'), 'Ё', 'Е'), replace(replace(persons.patronymic, 'ё', 'е'), 'Ё', 'Е') FROM persons;

CREATE VIRTUAL TABLE mentors_fts USING fts5 (
    surname, given_name, patronymic,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
CREATE TRIGGER mentors_fts_insert AFTER INSERT ON mentors BEGIN
    INSERT INTO mentors_fts (rowid, surname, given_name, patronymic) VALUES (new.rid, replace(replace(new.surname, 'ё', 'е'), 'Ё', 'Е'), replace(replace(new.given_name, 'ё', 'е'), 'Ё', 'Е'), replace(replace(new.patronymic, 'ё', 'е'), 'Ё', 'Е'));
END;
CREATE TRIGGER mentors_fts_delete AFTER DELETE ON mentors BEGIN
    DELETE FROM mentors_fts WHERE rowid = old.rid;
END;
CREATE TRIGGER mentors_fts_update AFTER UPDATE OF surname, given_name, patronymic ON mentors BEGIN
    DELETE FROM mentors_fts WHERE rowid = old.rid;
    INSERT INTO mentors_fts (rowid, surname, given_name, patronymic) VALUES (new.rid, replace(replace(new.surname, 'ё', 'е'), 'Ё', 'Е'), replace(replace(new.given_name, 'ё', 'е'), 'Ё', 'Е'), replace(replace(new.patronymic, 'ё', 'е'), 'Ё', 'Е'));
END;
INSERT INTO mentors_fts (rowid, surname, given_name, patronymic) SELECT rid, replace(replace(mentors.surname, 'ё', 'е'), 'Ё', 'Е'), replace(replace(mentors.given_name, 'ё', 'е'), 'Ё', 'Е'), replace(replace(mentors.patronymic, 'ё', 'е'), 'Ё', 'Е') FROM mentors;

CREATE VIRTUAL TABLE host_orgs_fts USING fts5 (
    name,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
CREATE TRIGGER host_orgs_fts_insert AFTER INSERT ON host_orgs BEGIN
    INSERT INTO host_orgs_fts (rowid, name) VALUES (new.rid, replace(replace(new.name, 'ё', 'е'), 'Ё', 'Е'));
END;
CREATE TRIGGER host_orgs_fts_delete AFTER DELETE ON host_orgs BEGIN
    DELETE FROM host_orgs_fts WHERE rowid = old.rid;
END;
CREATE TRIGGER host_orgs_fts_update AFTER UPDATE OF name ON host_orgs BEGIN
    DELETE FROM host_orgs_fts WHERE rowid = old.rid;
    INSERT INTO host_orgs_fts (rowid, name) VALUES (new.rid, replace(replace(new.name, 'ё', 'е'), 'Ё', 'Е'));
END;
INSERT INTO host_orgs_fts (rowid, name) SELECT rid, replace(replace(host_orgs.name, 'ё', 'е'), 'Ё', 'Е') FROM host_orgs;

CREATE VIRTUAL TABLE applications_fts USING fts5 (
    name,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
CREATE TRIGGER applications_fts_insert AFTER INSERT ON applications BEGIN
    INSERT INTO applications_fts (rowid, name) VALUES (new.rid, replace(replace(new.name, 'ё', 'е'), 'Ё', 'Е'));
END;
CREATE TRIGGER applications_fts_delete AFTER DELETE ON applications BEGIN
    DELETE FROM applications_fts WHERE rowid = old.rid;
END;
CREATE TRIGGER applications_fts_update AFTER UPDATE OF name ON applications BEGIN
    DELETE FROM applications_fts WHERE rowid = old.rid;
    INSERT INTO applications_fts (rowid, name) VALUES (new.rid, replace(replace(new.name, 'ё', 'е'), 'Ё', 'Е'));
END;
INSERT INTO applications_fts (rowid, name) SELECT rid, replace(replace(applications.name, 'ё', 'е'), 'Ё', 'Е') FROM applications;
