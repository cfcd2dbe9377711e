-- Each subgraph creates its own database, credit_<subgraph>, at start (subgraphs/shared/database.ts):
-- the platform's user may create and use those, and nothing else.
GRANT ALL PRIVILEGES ON `credit\_%`.* TO 'credit'@'%';
FLUSH PRIVILEGES;
