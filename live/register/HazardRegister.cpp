#include "live/register/HazardRegister.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include "scenes/InputError.hpp"

namespace safetwin {

namespace {

namespace fs = std::filesystem;

// Text columns of `hazards` besides the ones with their own handling (x, y, funds).
const char* kSchema = R"SQL(
CREATE TABLE hazards (
  id                  TEXT PRIMARY KEY,
  title               TEXT NOT NULL CHECK (title <> ''),
  domain              TEXT NOT NULL CHECK (domain IN ('hazardous_chemicals', 'construction',
                        'fire_safety', 'gas', 'electrical', 'other')),
  level               TEXT NOT NULL CHECK (level IN ('general', 'major')),
  major_criterion     TEXT NOT NULL DEFAULT '',
  location_object     TEXT NOT NULL DEFAULT '',
  location_level      TEXT NOT NULL DEFAULT '',
  x                   REAL,
  y                   REAL,
  found_at            TEXT NOT NULL,
  found_by            TEXT NOT NULL CHECK (found_by IN ('self_inspection', 'joint_inspection',
                        'expert_review', 'public_report')),
  cause               TEXT NOT NULL DEFAULT '',
  harm                TEXT NOT NULL DEFAULT '',
  measures            TEXT NOT NULL DEFAULT '',
  responsible_unit    TEXT NOT NULL DEFAULT '',
  responsible_person  TEXT NOT NULL DEFAULT '',
  funds               REAL,
  deadline            TEXT NOT NULL DEFAULT '',
  interim_measures    TEXT NOT NULL DEFAULT '',
  emergency_plan      TEXT NOT NULL DEFAULT '',
  supervision         TEXT NOT NULL DEFAULT '',
  status              TEXT NOT NULL CHECK (status IN ('found', 'planned', 'rectifying',
                        'self_checked', 'accepted', 'closed')),
  acceptance_evidence TEXT NOT NULL DEFAULT '',
  effect              TEXT NOT NULL DEFAULT '',
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  version             INTEGER NOT NULL DEFAULT 1,
  extensions          INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE history (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  hazard_id  TEXT NOT NULL REFERENCES hazards (id),
  at         TEXT NOT NULL,
  author     TEXT NOT NULL,
  action     TEXT NOT NULL CHECK (action IN ('created', 'status', 'extension', 'edit', 'imported')),
  field      TEXT NOT NULL DEFAULT '',
  old_value  TEXT NOT NULL DEFAULT '',
  new_value  TEXT NOT NULL DEFAULT '',
  note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX history_by_hazard ON history (hazard_id, seq);
CREATE TABLE impact (
  hazard_id   TEXT PRIMARY KEY,
  added_s     REAL NOT NULL,
  lo_s        REAL NOT NULL,
  hi_s        REAL NOT NULL,
  seeds       INTEGER NOT NULL,
  trapped     INTEGER NOT NULL DEFAULT 0,
  scenario    TEXT NOT NULL DEFAULT '',
  computed_at TEXT NOT NULL
);
)SQL";

bool isNumberColumn(const std::string& c) { return c == "x" || c == "y" || c == "funds"; }

/// A prepared statement; finalized on scope exit.
class Stmt {
  public:
    Stmt(sqlite3* db, const std::string& sql, const std::string& path) : db_(db), path_(path) {
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr) != SQLITE_OK)
            throw std::runtime_error(path + ": SQLite: " + sqlite3_errmsg(db) + " in: " + sql);
    }
    ~Stmt() { sqlite3_finalize(s_); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    void text(int i, const std::string& v) {
        sqlite3_bind_text(s_, i, v.c_str(), int(v.size()), SQLITE_TRANSIENT);
    }
    void real(int i, const std::optional<double>& v) {
        if (v) sqlite3_bind_double(s_, i, *v);
        else sqlite3_bind_null(s_, i);
    }
    void integer(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
    /// true while a row is available.
    bool step() {
        const int rc = sqlite3_step(s_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw std::runtime_error(path_ + ": SQLite: " + sqlite3_errmsg(db_));
    }
    std::string col(int i) const {
        const unsigned char* t = sqlite3_column_text(s_, i);
        return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
    }
    std::optional<double> colReal(int i) const {
        if (sqlite3_column_type(s_, i) == SQLITE_NULL) return std::nullopt;
        return sqlite3_column_double(s_, i);
    }
    int64_t colInt(int i) const { return sqlite3_column_int64(s_, i); }

  private:
    sqlite3* db_;
    sqlite3_stmt* s_ = nullptr;
    std::string path_;
};

std::string selectColumns() {
    std::string s;
    for (const std::string& c : hazardColumns()) s += c + ", ";
    return s + "created_at, updated_at, version, extensions";
}

Hazard readRow(const Stmt& st) {
    Hazard h;
    const auto& cols = hazardColumns();
    for (size_t k = 0; k < cols.size(); ++k) {
        const std::string& c = cols[k];
        if (c == "x") h.x = st.colReal(int(k));
        else if (c == "y") h.y = st.colReal(int(k));
        else if (c == "funds") h.funds = st.colReal(int(k));
        else setField(h, c, st.col(int(k)), "register");
    }
    const int n = int(cols.size());
    h.created_at = st.col(n);
    h.updated_at = st.col(n + 1);
    h.version = st.colInt(n + 2);
    h.extensions = int(st.colInt(n + 3));
    return h;
}

std::string joinIds(const std::vector<std::string>& ids, size_t max) {
    std::string s;
    for (size_t k = 0; k < ids.size() && k < max; ++k) s += (k ? ", " : "") + ids[k];
    if (ids.size() > max) s += ", ...";
    return s.empty() ? "none" : s;
}

}  // namespace

// Opening ----------------------------------------------------------------------------------------

std::unique_ptr<HazardRegister> HazardRegister::open(const std::string& path, bool create) {
    std::error_code ec;
    const bool exists = fs::exists(path, ec);
    if (!exists && !create)
        throw InputError(path + ": no hazard register here (`safetwin hazards add` or `import` "
                                "creates one)");
    if (exists) {
        // A SQLite file starts with "SQLite format 3\0" (https://sqlite.org/fileformat.html
        // section 1.3); anything else is refused before SQLite touches it.
        std::ifstream in(path, std::ios::binary);
        char head[16] = {};
        in.read(head, 16);
        if (in.gcount() > 0 && (in.gcount() < 16 || std::memcmp(head, "SQLite format 3", 16) != 0))
            throw InputError(path + ": not a hazard register (not a SQLite database file); "
                                    "nothing was written");
    }
    std::unique_ptr<HazardRegister> r(new HazardRegister());
    r->path_ = path;
    const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path.c_str(), &r->db_, flags, nullptr) != SQLITE_OK)
        throw InputError(path + ": cannot open the hazard register: " +
                         (r->db_ ? sqlite3_errmsg(r->db_) : "out of memory"));
    sqlite3_busy_timeout(r->db_, 30000);
    auto fail = [&](const std::string& what) {
        throw InputError(path + ": " + what + "; nothing was written");
    };
    int version = 0;
    try {
        Stmt st(r->db_, "PRAGMA user_version", path);
        if (st.step()) version = int(st.colInt(0));
    } catch (const std::runtime_error& e) {
        fail(std::string("not a readable hazard register (") + e.what() + ")");
    }
    if (version > kSchemaVersion)
        fail("written by a newer SafeTwin (register schema " + std::to_string(version) +
             "; this build reads schema " + std::to_string(kSchemaVersion) + " and older)");
    try {
        Stmt st(r->db_, "PRAGMA quick_check", path);
        std::string result = st.step() ? st.col(0) : "no answer";
        if (result != "ok") fail("the register file is corrupted (SQLite quick_check: " + result + ")");
    } catch (const std::runtime_error& e) {
        if (dynamic_cast<const InputError*>(&e)) throw;
        fail(std::string("the register file is corrupted (") + e.what() + ")");
    }
    if (version == 0) {
        int tables = 0;
        Stmt st(r->db_, "SELECT count(*) FROM sqlite_master", path);
        if (st.step()) tables = int(st.colInt(0));
        if (tables > 0)
            fail("a SQLite database, but not a hazard register (user_version 0 and " +
                 std::to_string(tables) + " other objects)");
    }
    // Only now is anything written: WAL lets readers (the viewer) go on while a writer commits.
    r->exec("PRAGMA journal_mode = WAL");
    r->exec("PRAGMA foreign_keys = ON");
    if (version == 0) r->createSchema();
    return r;
}

HazardRegister::~HazardRegister() {
    if (db_) sqlite3_close(db_);
}

void HazardRegister::exec(const std::string& sql) const {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        const std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw std::runtime_error(path_ + ": SQLite: " + msg);
    }
}

template <class F>
auto HazardRegister::transaction(F&& body) {
    // BEGIN IMMEDIATE takes the write lock first (waiting up to the busy timeout), so the
    // reads inside see what the write will change: no lost update between two processes.
    exec("BEGIN IMMEDIATE");
    try {
        if constexpr (std::is_void_v<decltype(body())>) {
            body();
            exec("COMMIT");
        } else {
            auto result = body();
            exec("COMMIT");
            return result;
        }
    } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

void HazardRegister::createSchema() {
    transaction([&] {
        // Another process may have created it while we waited for the lock.
        Stmt st(db_, "PRAGMA user_version", path_);
        if (st.step() && st.colInt(0) != 0) return;
        exec(kSchema);
        exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    });
}

// Writing ----------------------------------------------------------------------------------------

std::string HazardRegister::nextId() const {
    Stmt st(db_, "SELECT id FROM hazards WHERE id LIKE 'HZ-%'", path_);
    long best = 0;
    while (st.step()) {
        const std::string id = st.col(0);
        char* end = nullptr;
        const long n = std::strtol(id.c_str() + 3, &end, 10);
        if (end && *end == '\0') best = std::max(best, n);
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "HZ-%04ld", best + 1);
    return buf;
}

void HazardRegister::insert(const Hazard& h, bool replace) {
    const auto& cols = hazardColumns();
    std::vector<std::string> names = cols;
    for (const char* c : {"created_at", "updated_at", "version", "extensions"}) names.push_back(c);
    std::string sql;
    if (replace) {
        sql = "UPDATE hazards SET ";
        for (size_t k = 0; k < names.size(); ++k) sql += (k ? ", " : "") + names[k] + " = ?";
        sql += " WHERE id = ?";
    } else {
        sql = "INSERT INTO hazards (" + selectColumns() + ") VALUES (";
        for (size_t k = 0; k < names.size(); ++k) sql += k ? ", ?" : "?";
        sql += ")";
    }
    Stmt st(db_, sql, path_);
    for (size_t k = 0; k < cols.size(); ++k) {
        const std::string& c = cols[k];
        if (isNumberColumn(c)) st.real(int(k) + 1, c == "x" ? h.x : c == "y" ? h.y : h.funds);
        else st.text(int(k) + 1, getField(h, c));
    }
    const int n = int(cols.size());
    st.text(n + 1, h.created_at);
    st.text(n + 2, h.updated_at);
    st.integer(n + 3, h.version);
    st.integer(n + 4, h.extensions);
    if (replace) st.text(n + 5, h.id);
    st.step();
}

void HazardRegister::addHistory(const HistoryEntry& e) {
    Stmt st(db_,
            "INSERT INTO history (hazard_id, at, author, action, field, old_value, new_value, "
            "note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            path_);
    st.text(1, e.hazard_id);
    st.text(2, e.at);
    st.text(3, e.author);
    st.text(4, e.action);
    st.text(5, e.field);
    st.text(6, e.old_value);
    st.text(7, e.new_value);
    st.text(8, e.note);
    st.step();
}

std::string HazardRegister::add(Hazard h, const std::string& author, const std::string& at) {
    const std::string when = at.empty() ? utcNow() : at;
    if (author.empty()) throw InputError("every change needs an author (--author)");
    return transaction([&] {
        if (h.id.empty()) h.id = nextId();
        checkHazard(h, "hazard " + h.id);
        if (get(h.id)) throw InputError("hazard '" + h.id + "' is already in the register");
        h.created_at = h.updated_at = when;
        h.version = 1;
        h.extensions = 0;
        insert(h, false);
        addHistory({0, h.id, when, author, "created", "status", "", h.status, ""});
        return h.id;
    });
}

void HazardRegister::checkTransition(const Hazard& before, const Hazard& after) const {
    if (before.status == "closed")
        throw InputError("hazard " + before.id + " is closed; a closed hazard is not changed");
    if (before.status == after.status) return;
    const int from = statusRank(before.status), to = statusRank(after.status);
    const bool forward = to == from + 1;
    const bool reopened = after.status == "rectifying" &&
                          (before.status == "self_checked" || before.status == "accepted");
    if (!forward && !reopened) {
        std::string next = from + 1 < int(hazardStatuses().size()) ? hazardStatuses()[size_t(from + 1)] : "";
        if (before.status == "self_checked" || before.status == "accepted") next += " or rectifying";
        throw InputError("hazard " + before.id + ": status '" + before.status + "' cannot go to '" +
                         after.status + "' (next: " + next + ")");
    }
}

void HazardRegister::update(const std::string& id, const std::map<std::string, std::string>& fields,
                            const std::string& author, const std::string& note,
                            const std::string& at) {
    const std::string when = at.empty() ? utcNow() : at;
    if (author.empty()) throw InputError("every change needs an author (--author)");
    transaction([&] {
        const std::optional<Hazard> old = get(id);
        if (!old) {
            std::vector<std::string> ids;
            for (const Hazard& h : list()) ids.push_back(h.id);
            throw InputError("no hazard '" + id + "' in " + path_ + " (ids: " + joinIds(ids, 12) + ")");
        }
        Hazard h = *old;
        for (const auto& [column, value] : fields) {
            if (column == "id") throw InputError("a hazard's 'id' is not changed");
            setField(h, column, value, "hazard " + id);
        }
        checkTransition(*old, h);
        const bool extended = !old->deadline.empty() && h.deadline != old->deadline;
        if (extended && note.empty())
            throw InputError("hazard " + id + ": moving the deadline from " + old->deadline + " to " +
                             h.deadline + " is an extension; give the reason (--note)");
        if (extended) ++h.extensions;
        checkHazard(h, "hazard " + id);
        std::vector<HistoryEntry> entries;
        for (const std::string& c : hazardColumns()) {
            const std::string a = getField(*old, c), b = getField(h, c);
            if (a == b) continue;
            const std::string action = c == "status" ? "status" : c == "deadline" && extended ? "extension" : "edit";
            entries.push_back({0, id, when, author, action, c, a, b, note});
        }
        if (entries.empty()) return;
        h.version = old->version + 1;
        h.updated_at = when;
        insert(h, true);
        for (const HistoryEntry& e : entries) addHistory(e);
    });
}

// Reading ----------------------------------------------------------------------------------------

std::vector<Hazard> HazardRegister::query(const std::string& where,
                                          const std::vector<std::string>& args,
                                          const std::string& now) const {
    Stmt st(db_, "SELECT " + selectColumns() + " FROM hazards" + (where.empty() ? "" : " WHERE " + where) + " ORDER BY id",
            path_);
    for (size_t k = 0; k < args.size(); ++k) st.text(int(k) + 1, args[k]);
    std::vector<Hazard> out;
    const std::string t = now.empty() ? utcNow() : now;
    while (st.step()) {
        Hazard h = readRow(st);
        h.overdue = isOverdue(h, t);
        out.push_back(std::move(h));
    }
    return out;
}

std::optional<Hazard> HazardRegister::get(const std::string& id, const std::string& now) const {
    auto v = query("id = ?", {id}, now);
    if (v.empty()) return std::nullopt;
    return v.front();
}

std::vector<Hazard> HazardRegister::list(const HazardFilter& f) const {
    std::string where;
    std::vector<std::string> args;
    auto cond = [&](const std::string& c, const std::string& v) {
        where += (where.empty() ? "" : " AND ") + c + " = ?";
        args.push_back(v);
    };
    if (!f.level.empty()) {
        if (statusRank(f.level) >= 0 || std::find(hazardLevels().begin(), hazardLevels().end(), f.level) == hazardLevels().end())
            throw InputError("--level '" + f.level + "' (expected general or major)");
        cond("level", f.level);
    }
    if (!f.domain.empty()) {
        Hazard probe;
        setField(probe, "domain", f.domain, "--domain");
        cond("domain", f.domain);
    }
    if (!f.status.empty() && f.status != "open") {
        Hazard probe;
        setField(probe, "status", f.status, "--status");
        cond("status", f.status);
    }
    std::vector<Hazard> all = query(where, args, f.now);
    std::vector<Hazard> out;
    for (Hazard& h : all)
        if ((f.status != "open" || statusOpen(h.status)) && (!f.overdue_only || h.overdue))
            out.push_back(std::move(h));
    return out;
}

std::vector<Hazard> HazardRegister::openHazards(const std::string& now) const {
    HazardFilter f;
    f.status = "open";
    f.now = now;
    return list(f);
}

std::vector<HistoryEntry> HazardRegister::history(const std::string& id) const {
    Stmt st(db_,
            "SELECT seq, hazard_id, at, author, action, field, old_value, new_value, note FROM history" +
                std::string(id.empty() ? "" : " WHERE hazard_id = ?") + " ORDER BY seq",
            path_);
    if (!id.empty()) st.text(1, id);
    std::vector<HistoryEntry> out;
    while (st.step())
        out.push_back({st.colInt(0), st.col(1), st.col(2), st.col(3), st.col(4), st.col(5), st.col(6),
                       st.col(7), st.col(8)});
    return out;
}

HazardStats HazardRegister::stats(const std::string& now) const {
    HazardFilter f;
    f.now = now;
    HazardStats s;
    for (const std::string& w : hazardStatuses()) s.by_status[w] = 0;
    for (const std::string& w : hazardLevels()) s.by_level[w] = 0;
    for (const std::string& w : hazardDomains()) s.by_domain[w] = 0;
    for (const Hazard& h : list(f)) {
        ++s.total;
        const bool open = statusOpen(h.status);
        s.open += open;
        s.rectified += !open;
        s.overdue += h.overdue;
        if (h.level == "major") {
            ++s.major;
            s.major_open += open;
            s.major_rectified += !open;
        }
        ++s.by_status[h.status];
        ++s.by_level[h.level];
        ++s.by_domain[h.domain];
        if (h.overdue) s.overdue_hazards.push_back(h);
    }
    s.rectification_rate = s.total ? double(s.rectified) / s.total : 1.0;
    s.major_rectification_rate = s.major ? double(s.major_rectified) / s.major : 1.0;
    std::stable_sort(s.overdue_hazards.begin(), s.overdue_hazards.end(),
                     [](const Hazard& a, const Hazard& b) { return a.deadline < b.deadline; });
    return s;
}

// CSV --------------------------------------------------------------------------------------------

std::string csvField(const std::string& s) {
    const bool quote = s.find_first_of(",\"\r\n") != std::string::npos ||
                       (!s.empty() && (s.front() == ' ' || s.back() == ' '));
    if (!quote) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::vector<std::vector<std::string>> parseCsv(const std::string& text, const std::string& file,
                                               std::vector<int>* lines) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string cell;
    int line = 1, rowLine = 1, quoteLine = 0;
    bool quoted = false, any = false;
    size_t i = 0;
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;  // a UTF-8 byte order mark (Excel)
    auto endRow = [&] {
        row.push_back(cell);
        cell.clear();
        const bool blank = row.size() == 1 && row[0].empty();
        if (!blank) {
            rows.push_back(row);
            if (lines) lines->push_back(rowLine);
        }
        row.clear();
        any = false;
    };
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') { cell += '"'; ++i; }
            else if (c == '"') quoted = false;
            else { if (c == '\n') ++line; cell += c; }
            continue;
        }
        if (!any) rowLine = line;
        any = true;
        if (c == '"' && cell.empty()) { quoted = true; quoteLine = line; }
        else if (c == ',') { row.push_back(cell); cell.clear(); }
        else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
        else if (c == '\n') { endRow(); ++line; }
        else cell += c;
    }
    if (quoted)
        throw InputError(SourceRef{file, quoteLine, 0}, "a quoted field is not closed (a '\"' is missing)");
    if (any || !cell.empty() || !row.empty()) endRow();
    return rows;
}

std::string HazardRegister::exportCsv(const HazardFilter& filter) const {
    std::string out;
    const auto& cols = hazardColumns();
    for (size_t k = 0; k < cols.size(); ++k) out += (k ? "," : "") + cols[k];
    out += "\r\n";
    for (const Hazard& h : list(filter)) {
        for (size_t k = 0; k < cols.size(); ++k) out += (k ? "," : "") + csvField(getField(h, cols[k]));
        out += "\r\n";
    }
    return out;
}

std::pair<int, int> HazardRegister::importCsv(const std::string& text, const std::string& file,
                                              const std::string& author, const std::string& at) {
    const std::string when = at.empty() ? utcNow() : at;
    if (author.empty()) throw InputError("every change needs an author (--author)");
    std::vector<int> lines;
    const auto rows = parseCsv(text, file, &lines);
    if (rows.empty()) throw InputError(SourceRef{file, 1, 0}, "empty CSV (expected a header row)");
    const auto& header = rows[0];
    const auto& known = hazardColumns();
    std::set<std::string> seenCols;
    for (size_t k = 0; k < header.size(); ++k) {
        if (std::find(known.begin(), known.end(), header[k]) == known.end())
            throw InputError(SourceRef{file, lines[0], 0},
                             "column " + std::to_string(k + 1) + " '" + header[k] +
                                 "' is not a hazard field (fields: " + joinIds(known, 100) + ")");
        if (!seenCols.insert(header[k]).second)
            throw InputError(SourceRef{file, lines[0], 0}, "column '" + header[k] + "' appears twice");
    }
    for (const char* need : {"title", "found_at"})
        if (!seenCols.count(need))
            throw InputError(SourceRef{file, lines[0], 0}, std::string("the header has no '") + need + "' column");
    return transaction([&] {
        int added = 0, updated = 0;
        std::set<std::string> inFile;
        for (size_t r = 1; r < rows.size(); ++r) {
            const std::string where = SourceRef{file, lines[r], 0}.str();
            if (rows[r].size() != header.size())
                throw InputError(where + ": " + std::to_string(rows[r].size()) + " fields, the header has " +
                                 std::to_string(header.size()));
            std::string id;
            for (size_t k = 0; k < header.size(); ++k)
                if (header[k] == "id") id = rows[r][k];
            const std::optional<Hazard> old = id.empty() ? std::nullopt : get(id);
            Hazard h = old ? *old : Hazard{};
            for (size_t k = 0; k < header.size(); ++k) setField(h, header[k], rows[r][k], where);
            if (h.id.empty()) h.id = nextId();
            if (!inFile.insert(h.id).second) throw InputError(where + ": hazard '" + h.id + "' appears twice in the file");
            checkHazard(h, where);
            if (!old) {
                h.created_at = h.updated_at = when;
                h.version = 1;
                insert(h, false);
                addHistory({0, h.id, when, author, "created", "status", "", h.status, "imported from " + file});
                ++added;
                continue;
            }
            std::vector<HistoryEntry> entries;
            for (const std::string& c : known) {
                const std::string a = getField(*old, c), b = getField(h, c);
                if (a != b) entries.push_back({0, h.id, when, author, "imported", c, a, b, "from " + file});
            }
            if (entries.empty()) continue;
            h.version = old->version + 1;
            h.updated_at = when;
            insert(h, true);
            for (const HistoryEntry& e : entries) addHistory(e);
            ++updated;
        }
        return std::pair<int, int>{added, updated};
    });
}

int64_t HazardRegister::dataVersion() const {
    Stmt st(db_, "PRAGMA data_version", path_);
    return st.step() ? st.colInt(0) : 0;
}

// Impact -----------------------------------------------------------------------------------------

void HazardRegister::storeImpacts(const std::vector<HazardImpactRecord>& impacts) {
    transaction([&] {
        exec("DELETE FROM impact");
        for (const HazardImpactRecord& i : impacts) {
            Stmt st(db_,
                    "INSERT INTO impact (hazard_id, added_s, lo_s, hi_s, seeds, trapped, scenario, computed_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    path_);
            st.text(1, i.hazard_id);
            st.real(2, i.added_s);
            st.real(3, i.lo_s);
            st.real(4, i.hi_s);
            st.integer(5, i.seeds);
            st.integer(6, i.trapped);
            st.text(7, i.scenario);
            st.text(8, i.computed_at.empty() ? utcNow() : i.computed_at);
            st.step();
        }
    });
}

std::vector<HazardImpactRecord> HazardRegister::impacts() const {
    Stmt st(db_,
            "SELECT hazard_id, added_s, lo_s, hi_s, seeds, trapped, scenario, computed_at FROM impact "
            "ORDER BY trapped DESC, added_s DESC",
            path_);
    std::vector<HazardImpactRecord> out;
    while (st.step())
        out.push_back({st.col(0), *st.colReal(1), *st.colReal(2), *st.colReal(3), int(st.colInt(4)),
                       int(st.colInt(5)), st.col(6), st.col(7)});
    return out;
}

}  // namespace safetwin
