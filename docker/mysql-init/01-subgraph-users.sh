#!/usr/bin/env bash
# One MySQL user per subgraph, `credit_<subgraph>`, with every right on its own database,
# `credit_<subgraph>`, and none on any other: only the audit subgraph can write the audit log
# (README: whoever can write the audit database can rewrite its chain), only the records
# subgraph the records. Each database is made here: with NODE_ENV=production a subgraph creates
# none (one missing is taken for a mistyped DATABASE_PREFIX, subgraphs/shared/database.ts), and
# migrates the one it finds.
#
# The mysql image's entrypoint sources this file on its first start (an empty data volume), with
# MYSQL_ROOT_PASSWORD and the five MYSQL_<SUBGRAPH>_PASSWORD from docker/compose.yaml. On a
# volume made before (one user, `credit`, for all five), run it once by hand:
#
#   docker compose -f docker/compose.yaml exec mysql bash /docker-entrypoint-initdb.d/01-subgraph-users.sh
#
# It makes the users that are missing, sets each one's password to the one given, grants each its
# own database and drops the old shared user. Each password goes into its subgraph's DATABASE_URL
# as it is (compose cannot percent-encode it): letters and digits only, `openssl rand -hex 24`;
# anything else is refused before any user is made. test/ops/compose.test.ts runs this file.
(
  set -eu -o pipefail
  export LC_ALL=C
  prefix="${DATABASE_PREFIX:-credit_}"
  subgraphs=(entities records reports providers audit)

  # The prefix names each user as well as its database, and MySQL 8's user names are at most 32
  # characters: a longer one stopped the initialisation at its CREATE USER, with the volume half
  # made. Letters, digits and _ as the subgraphs take it (subgraphs/shared/database.ts), which go
  # into the statements below unquoted.
  case "$prefix" in
    *[!A-Za-z0-9_]*)
      echo "docker/mysql-init: DATABASE_PREFIX must hold letters, digits and _ only, got \"$prefix\"" >&2
      exit 1
      ;;
  esac
  longest=providers
  if [ $((${#prefix} + ${#longest})) -gt 32 ]; then
    echo "docker/mysql-init: DATABASE_PREFIX must be at most $((32 - ${#longest})) characters here: each subgraph's MySQL user is named by it and the subgraph (${prefix}${longest}), and MySQL's user names are at most 32" >&2
    exit 1
  fi

  for subgraph in "${subgraphs[@]}"; do
    variable="MYSQL_${subgraph^^}_PASSWORD"
    password="${!variable:-}"
    if [ -z "$password" ]; then
      echo "docker/mysql-init: $variable is not set: the $subgraph subgraph's database password" >&2
      exit 1
    fi
    case "$password" in
      *[!A-Za-z0-9]*)
        echo "docker/mysql-init: $variable must hold letters and digits only (make one with: openssl rand -hex 24): it goes into the $subgraph subgraph's DATABASE_URL unencoded" >&2
        exit 1
        ;;
    esac
  done

  # Sourced by the entrypoint, its docker_process_sql (root, on the socket); run by hand, the client.
  run_sql() {
    if declare -F docker_process_sql >/dev/null; then
      docker_process_sql --database=mysql
    else
      mysql --defaults-extra-file=<(printf '[client]\nuser=root\npassword="%s"\n' "$MYSQL_ROOT_PASSWORD") --protocol=socket --database=mysql
    fi
  }

  {
    for subgraph in "${subgraphs[@]}"; do
      name="${prefix}${subgraph}"
      variable="MYSQL_${subgraph^^}_PASSWORD"
      password="${!variable}"
      # In a grant `_` matches any character: escaped, the grant names this database alone.
      cat <<SQL
CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '${name}'@'%' IDENTIFIED BY '${password}';
ALTER USER '${name}'@'%' IDENTIFIED BY '${password}';
GRANT ALL PRIVILEGES ON \`${name//_/\\_}\`.* TO '${name}'@'%';
SQL
    done
    # The one user every subgraph shared before, with rights on all five databases.
    if [ "$prefix" = credit_ ]; then echo "DROP USER IF EXISTS 'credit'@'%';"; fi
    echo 'FLUSH PRIVILEGES;'
  } | run_sql
)
