// The hazard register: the closure loop and its history, transactions (all or nothing), the CSV
// round trip, stats, two processes writing at once, and files it must refuse without writing.
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "TestSupport.hpp"
#include "live/register/HazardRegister.hpp"
#include "scenes/InputError.hpp"

using namespace safetwin;
using namespace safetwin::test;
namespace fs = std::filesystem;

namespace {

Hazard general(const std::string& id, const std::string& title) {
    Hazard h;
    h.id = id;
    h.title = title;
    h.domain = "fire_safety";
    h.found_at = "2026-11-02";
    h.location_object = "FE_W";
    return h;
}

std::map<std::string, std::string> plan(const std::string& deadline) {
    return {{"status", "planned"}, {"measures", "clear the exit, daily check"},
            {"responsible_person", "Wang Li"}, {"deadline", deadline}};
}

int countLines(const std::string& s) {
    int n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

}  // namespace

TEST_CASE("register: the closure loop, its rules and its history", "[register]") {
    const fs::path dir = scratchDir("register-loop");
    auto reg = HazardRegister::open((dir / "r.sqlite").string(), true);
    reg->add(general("H1", "Fire exit FE_W blocked by pallets"), "inspector", "2026-11-02T09:00:00Z");
    CHECK_THROWS_AS(reg->add(general("H1", "again"), "inspector"), InputError);

    SECTION("a status change follows the loop and every change is a history entry") {
        // Skipping 'planned' is refused and changes nothing.
        CHECK_THROWS_WITH(reg->update("H1", {{"status", "rectifying"}}, "a"),
                          Catch::Contains("cannot go to 'rectifying'"));
        // 'planned' needs the plan.
        CHECK_THROWS_WITH(reg->update("H1", {{"status", "planned"}}, "a"),
                          Catch::Contains("missing: measures, responsible_person, deadline"));
        CHECK(reg->get("H1")->version == 1);
        CHECK(reg->history("H1").size() == 1);

        reg->update("H1", plan("2026-11-20"), "safety office", "", "2026-11-03T08:00:00Z");
        reg->update("H1", {{"status", "rectifying"}}, "warehouse", "", "2026-11-04T08:00:00Z");
        reg->update("H1", {{"status", "self_checked"}}, "warehouse", "", "2026-11-05T08:00:00Z");
        // Acceptance needs evidence; a failed check goes back to rectifying.
        CHECK_THROWS_WITH(reg->update("H1", {{"status", "accepted"}}, "a"),
                          Catch::Contains("acceptance_evidence"));
        reg->update("H1", {{"status", "rectifying"}}, "safety office", "pallets back on site");
        reg->update("H1", {{"status", "self_checked"}}, "warehouse");
        reg->update("H1", {{"status", "accepted"}, {"acceptance_evidence", "photo 2026-11-06"}}, "safety office");
        reg->update("H1", {{"status", "closed"}}, "safety office");
        CHECK_THROWS_WITH(reg->update("H1", {{"title", "x"}}, "a"), Catch::Contains("closed"));

        const Hazard h = *reg->get("H1");
        CHECK(h.status == "closed");
        // created + plan (status, measures, person, deadline) + 6 status changes + evidence
        const auto hist = reg->history("H1");
        CHECK(hist.size() == 1 + 4 + 6 + 1);
        CHECK(h.version == 1 + 7);
        std::vector<std::string> statuses;
        for (const HistoryEntry& e : hist)
            if (e.field == "status") statuses.push_back(e.new_value);
        CHECK(statuses == std::vector<std::string>{"found", "planned", "rectifying", "self_checked",
                                                   "rectifying", "self_checked", "accepted", "closed"});
        CHECK(hist[1].at == "2026-11-03T08:00:00Z");
        CHECK(hist[1].author == "safety office");
    }

    SECTION("an extension needs a reason and is counted; overdue follows the deadline") {
        reg->update("H1", plan("2026-11-10"), "safety office");
        CHECK(reg->get("H1", "2026-11-10T23:00:00Z")->overdue == false);  // due at the end of the day
        CHECK(reg->get("H1", "2026-11-11T00:00:00Z")->overdue == true);
        CHECK_THROWS_WITH(reg->update("H1", {{"deadline", "2026-11-30"}}, "a"), Catch::Contains("extension"));
        reg->update("H1", {{"deadline", "2026-11-30"}}, "plant manager", "supplier delay");
        const Hazard h = *reg->get("H1", "2026-11-11T00:00:00Z");
        CHECK(h.extensions == 1);
        CHECK_FALSE(h.overdue);
        CHECK(reg->history("H1").back().action == "extension");
        CHECK(reg->history("H1").back().note == "supplier delay");
    }

    SECTION("a major hazard needs its criterion and the full plan") {
        Hazard m = general("M1", "Gas pipe corroded under the kitchen");
        m.level = "major";
        m.domain = "gas";
        CHECK_THROWS_WITH(reg->add(m, "a"), Catch::Contains("major_criterion"));
        m.major_criterion = "GB 35181-2025 4.1 b)";
        reg->add(m, "a");
        CHECK_THROWS_WITH(reg->update("M1", plan("2026-12-01"), "a"),
                          Catch::Contains("missing: funds, interim_measures, emergency_plan"));
        auto p = plan("2026-12-01");
        p["funds"] = "12000";
        p["interim_measures"] = "gas shut off, detector added";
        p["emergency_plan"] = "kitchen gas plan v2";
        reg->update("M1", p, "a");
        CHECK(*reg->get("M1")->funds == 12000.0);
    }
}

TEST_CASE("register: an import is one transaction, and the CSV round trip is exact", "[register]") {
    const fs::path dir = scratchDir("register-csv");
    auto reg = HazardRegister::open((dir / "a.sqlite").string(), true);
    Hazard a = general("H1", "Exit sign out, \"west\" corridor, line 1\nline 2");
    a.cause = "消防通道堆放杂物";
    a.x = 12.5;
    a.y = -3.25;
    a.location_level = "L0";
    a.location_object = "";
    reg->add(a, "t");
    Hazard b = general("H2", " leading and trailing spaces ");
    b.effect = "close_exit:FE_W";
    reg->add(b, "t");
    reg->update("H2", plan("2026-11-20"), "t");
    const std::string csv = reg->exportCsv();
    CHECK(countLines(csv) == 4);  // header, H1 over two lines, H2

    auto copy = HazardRegister::open((dir / "b.sqlite").string(), true);
    CHECK(copy->importCsv(csv, "a.csv", "t") == std::pair<int, int>{2, 0});
    CHECK(copy->exportCsv() == csv);
    const Hazard h1 = *copy->get("H1");
    CHECK(h1.title == a.title);
    CHECK(h1.cause == a.cause);
    CHECK(*h1.x == 12.5);
    CHECK(copy->get("H2")->title == b.title);
    // Importing the same file again changes nothing.
    CHECK(copy->importCsv(csv, "a.csv", "t") == std::pair<int, int>{0, 0});

    // A bad row anywhere leaves the register as it was: no row added, no field changed.
    const std::string header = csv.substr(0, csv.find("\r\n"));
    std::string bad = header + "\r\n";
    Hazard c = general("H3", "new one");
    for (const std::string& col : hazardColumns()) bad += (col == "id" ? "" : ",") + csvField(getField(c, col));
    bad += "\r\n";
    Hazard d = *copy->get("H1");
    d.title = "changed";
    for (const std::string& col : hazardColumns()) bad += (col == "id" ? "" : ",") + csvField(getField(d, col));
    bad += "\r\n";
    Hazard e = general("H4", "bad level");
    for (const std::string& col : hazardColumns())
        bad += (col == "id" ? "" : ",") + csvField(col == "level" ? std::string("severe") : getField(e, col));
    bad += "\r\n";
    CHECK_THROWS_WITH(copy->importCsv(bad, "bad.csv", "t"),
                      Catch::Contains("bad.csv:4") && Catch::Contains("'level' = 'severe'"));
    CHECK(copy->list().size() == 2);
    CHECK(copy->get("H1")->title == a.title);
    CHECK(copy->history().size() == 2 + 0);  // the two "created" entries of the first import
}

TEST_CASE("register: stats count statuses, the rectification rate and the overdue", "[register]") {
    const fs::path dir = scratchDir("register-stats");
    auto reg = HazardRegister::open((dir / "r.sqlite").string(), true);
    for (int k = 1; k <= 5; ++k) reg->add(general("H" + std::to_string(k), "hazard " + std::to_string(k)), "t");
    reg->update("H1", plan("2026-11-10"), "t");
    reg->update("H2", plan("2026-11-30"), "t");
    for (const char* id : {"H4", "H5"}) {
        reg->update(id, plan("2026-11-05"), "t");
        reg->update(id, {{"status", "rectifying"}}, "t");
        reg->update(id, {{"status", "self_checked"}}, "t");
        reg->update(id, {{"status", "accepted"}, {"acceptance_evidence", "ok"}}, "t");
    }
    const HazardStats s = reg->stats("2026-11-15T12:00:00Z");
    CHECK(s.total == 5);
    CHECK(s.open == 3);
    CHECK(s.rectified == 2);
    CHECK(s.rectification_rate == Approx(2.0 / 5.0));
    CHECK(s.by_status.at("planned") == 2);
    CHECK(s.by_status.at("found") == 1);
    CHECK(s.by_status.at("accepted") == 2);
    // H1 is past its deadline; H4 and H5 were too, but they are rectified.
    CHECK(s.overdue == 1);
    REQUIRE(s.overdue_hazards.size() == 1);
    CHECK(s.overdue_hazards[0].id == "H1");
    HazardFilter f;
    f.overdue_only = true;
    f.now = "2026-11-15T12:00:00Z";
    CHECK(reg->list(f).size() == 1);
    f = {};
    f.status = "open";
    CHECK(reg->list(f).size() == 3);
}

TEST_CASE("register: two processes writing at once lose nothing", "[register]") {
    const fs::path dir = scratchDir("register-concurrent");
    const std::string path = (dir / "r.sqlite").string();
    HazardRegister::open(path, true).reset();  // create it
    constexpr int kEach = 150;
    std::vector<pid_t> children;
    for (int p = 0; p < 2; ++p) {
        const pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            int rc = 0;
            try {
                auto reg = HazardRegister::open(path, true);
                for (int k = 0; k < kEach; ++k) {
                    Hazard h = general("", "writer " + std::to_string(p) + " item " + std::to_string(k));
                    const std::string id = reg->add(h, "writer" + std::to_string(p));  // auto id
                    reg->update(id, plan("2026-12-01"), "writer" + std::to_string(p));
                }
            } catch (const std::exception& e) {
                std::fprintf(stderr, "writer %d: %s\n", p, e.what());
                rc = 1;
            }
            _exit(rc);
        }
        children.push_back(pid);
    }
    for (pid_t pid : children) {
        int status = 0;
        REQUIRE(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    auto reg = HazardRegister::open(path, false);
    const auto all = reg->list();
    CHECK(all.size() == 2 * kEach);
    std::set<std::string> titles;
    for (const Hazard& h : all) {
        titles.insert(h.title);
        CHECK(h.status == "planned");
    }
    CHECK(titles.size() == 2 * kEach);
    // Each hazard: created + 4 plan fields.
    CHECK(reg->history().size() == size_t(2 * kEach * 5));
}

TEST_CASE("register: a reader sees another process's change through dataVersion()", "[register]") {
    const fs::path dir = scratchDir("register-version");
    const std::string path = (dir / "r.sqlite").string();
    auto viewer = HazardRegister::open(path, true);
    auto office = HazardRegister::open(path, true);
    const int64_t v0 = viewer->dataVersion();
    CHECK(viewer->dataVersion() == v0);  // nothing changed
    office->add(general("H1", "new"), "t");
    const int64_t v1 = viewer->dataVersion();
    CHECK(v1 != v0);
    CHECK(viewer->openHazards().size() == 1);
    office->update("H1", plan("2026-12-01"), "t");
    CHECK(viewer->dataVersion() != v1);
}

TEST_CASE("register: a corrupted file or a newer schema is refused and not written", "[register]") {
    const fs::path dir = scratchDir("register-bad");
    SECTION("not a database") {
        const fs::path p = dir / "notes.sqlite";
        writeFile(p, "this is a spreadsheet, not a database\n");
        CHECK_THROWS_WITH(HazardRegister::open(p.string(), true), Catch::Contains("not a SQLite database"));
        CHECK(readFile(p) == "this is a spreadsheet, not a database\n");
    }
    SECTION("a newer schema") {
        const fs::path p = dir / "new.sqlite";
        {
            auto reg = HazardRegister::open(p.string(), true);
            reg->add(general("H1", "x"), "t");
        }
        // user_version is the 4-byte big-endian integer at offset 60 of the database header
        // (https://sqlite.org/fileformat.html, 1.3); make it kSchemaVersion + 1.
        std::string bytes = readFile(p);
        REQUIRE(bytes.size() > 100);
        bytes[63] = char(HazardRegister::kSchemaVersion + 1);
        writeFile(p, bytes);
        fs::remove(p.string() + "-wal");
        fs::remove(p.string() + "-shm");
        CHECK_THROWS_WITH(HazardRegister::open(p.string(), true),
                          Catch::Contains("newer SafeTwin") && Catch::Contains("nothing was written"));
        CHECK(readFile(p) == bytes);
    }
    SECTION("damaged pages") {
        const fs::path p = dir / "damaged.sqlite";
        {
            auto reg = HazardRegister::open(p.string(), true);
            for (int k = 0; k < 50; ++k) reg->add(general("H" + std::to_string(k), std::string(300, 'x')), "t");
        }
        std::string bytes = readFile(p);
        REQUIRE(bytes.size() > 3 * 4096);
        for (size_t k = 4096; k < 3 * 4096; ++k) bytes[k] = char(0xA5 ^ (k & 0xff));
        writeFile(p, bytes);
        CHECK_THROWS_AS(HazardRegister::open(p.string(), true), InputError);
        CHECK(readFile(p) == bytes);
    }
}

TEST_CASE("register: the command line adds, lists, exports and refuses a bad file", "[register][cli]") {
    const fs::path dir = scratchDir("register-cli");
    const fs::path bin = fs::path(SAFETWIN_BINARY_DIR) / "app" / "safetwin";
    REQUIRE(fs::exists(bin));
    auto run = [&](const std::string& args) {
        const std::string cmd = "cd '" + dir.string() + "' && '" + bin.string() + "' hazards " + args +
                                " > out.txt 2> err.txt";
        const int status = std::system(cmd.c_str());
        REQUIRE(WIFEXITED(status));
        return WEXITSTATUS(status);
    };
    CHECK(run("add -r r.sqlite --title 'Exit FE_W blocked' --domain fire_safety --found-at 2026-11-02 "
              "--effect close_exit:FE_W --author tester") == 0);
    CHECK(readFile(dir / "out.txt") == "added HZ-0001\n");
    CHECK(run("add -r r.sqlite --title 'Dark corridor' --level major --author tester") == 2);
    CHECK(readFile(dir / "err.txt").find("major_criterion") != std::string::npos);
    CHECK(run("update HZ-0001 -r r.sqlite --status planned --measures 'clear it' --responsible-person Li "
              "--deadline 2026-11-05 --author tester") == 0);
    CHECK(run("list -r r.sqlite --overdue --now 2026-11-06") == 0);
    CHECK(readFile(dir / "out.txt").find("HZ-0001") != std::string::npos);
    CHECK(readFile(dir / "out.txt").find("OVERDUE") != std::string::npos);
    CHECK(run("stats -r r.sqlite --json --now 2026-11-06") == 0);
    CHECK(readFile(dir / "out.txt").find("\"overdue\": 1") != std::string::npos);
    CHECK(run("export -r r.sqlite --out r.csv") == 0);
    CHECK(run("import r.csv -r copy.sqlite --author tester") == 0);
    CHECK(readFile(dir / "out.txt") == "imported r.csv: 1 added, 0 updated\n");
    writeFile(dir / "bad.sqlite", "garbage");
    CHECK(run("list -r bad.sqlite") == 2);
    CHECK(run("list -r missing.sqlite") == 2);
    CHECK_FALSE(fs::exists(dir / "missing.sqlite"));
}
