// safetwin hazards add|update|list|history|import|export|stats: the hazard register
// (live/register/HazardRegister.hpp) from the command line. The register is a file given by
// --register, or the one a scenario names (`hazards: {register: ...}`) with --scenario.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/Commands.hpp"
#include "app/Output.hpp"
#include "live/register/HazardRegister.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

namespace safetwin {

namespace {

struct HazardOptions {
    std::string reg, scenario, author, note, now, out, file, id;
    std::string level, status, domain;
    bool overdue = false, json = false, rank = false;
    std::map<std::string, std::string> fields;  // column -> value, for add and update
};

std::string defaultAuthor() {
    const char* u = std::getenv("SAFETWIN_AUTHOR");
    if (!u || !*u) u = std::getenv("USER");
    return u && *u ? u : "unknown";
}

/// The register's path: --register, or the scenario's `hazards.register`.
std::string registerPath(const HazardOptions& o) {
    if (!o.reg.empty()) return o.reg;
    if (!o.scenario.empty()) {
        const Scenario s = loadScenarioFile(o.scenario);
        if (s.hazard_register.empty())
            throw InputError(o.scenario + ": the scenario names no hazard register (add 'hazards: {register: FILE}')");
        return s.hazard_register;
    }
    throw InputError("give the register: --register FILE, or --scenario SCENARIO with 'hazards: {register: FILE}'");
}

void addSource(CLI::App* cmd, HazardOptions& o) {
    cmd->add_option("-r,--register", o.reg, "hazard register file (SQLite; created on first use by add and import)");
    cmd->add_option("-s,--scenario", o.scenario, "scenario whose 'hazards.register' to use");
}

void addFilters(CLI::App* cmd, HazardOptions& o) {
    cmd->add_option("--level", o.level, "general or major");
    cmd->add_option("--status", o.status, "found, planned, rectifying, self_checked, accepted, closed, or open");
    cmd->add_option("--domain", o.domain, "hazardous_chemicals, construction, fire_safety, gas, electrical, other");
    cmd->add_flag("--overdue", o.overdue, "only open hazards past their deadline");
    cmd->add_option("--now", o.now, "the time overdue is judged at (default: now, UTC)");
}

/// One option per register column: --title, --major-criterion, --found-at, ...
void addFieldOptions(CLI::App* cmd, const std::shared_ptr<HazardOptions>& o, bool withId) {
    for (const std::string& c : hazardColumns()) {
        if (c == "id" && !withId) continue;
        std::string flag = c;
        std::replace(flag.begin(), flag.end(), '_', '-');
        cmd->add_option_function<std::string>(
            "--" + flag, [o, c](const std::string& v) { o->fields[c] = v; }, "hazard field '" + c + "'");
    }
    cmd->add_option("--author", o->author, "who makes the change (default: $SAFETWIN_AUTHOR or $USER)");
}

HazardFilter filterOf(const HazardOptions& o) {
    HazardFilter f;
    f.level = o.level;
    f.status = o.status;
    f.domain = o.domain;
    f.overdue_only = o.overdue;
    f.now = o.now;
    return f;
}

std::string fmtSeconds(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+.1f", v);
    return buf;
}

int listHazards(const HazardOptions& o) {
    const auto reg = HazardRegister::open(registerPath(o), false);
    std::vector<Hazard> hs = reg->list(filterOf(o));
    std::map<std::string, HazardImpactRecord> impact;
    for (const HazardImpactRecord& i : reg->impacts()) impact[i.hazard_id] = i;
    if (o.rank) {
        // By what rectifying it buys: trapped people first, then seconds added.
        std::stable_sort(hs.begin(), hs.end(), [&](const Hazard& a, const Hazard& b) {
            const auto ia = impact.find(a.id), ib = impact.find(b.id);
            const double ta = ia == impact.end() ? -1 : ia->second.trapped, tb = ib == impact.end() ? -1 : ib->second.trapped;
            if (ta != tb) return ta > tb;
            const double sa = ia == impact.end() ? -1e300 : ia->second.added_s, sb = ib == impact.end() ? -1e300 : ib->second.added_s;
            return sa > sb;
        });
    }
    if (o.json) {
        nlohmann::ordered_json j = nlohmann::ordered_json::array();
        for (const Hazard& h : hs) {
            nlohmann::ordered_json x;
            for (const std::string& c : hazardColumns()) x[c] = getField(h, c);
            x["overdue"] = h.overdue;
            x["extensions"] = h.extensions;
            x["version"] = h.version;
            x["updated_at"] = h.updated_at;
            if (auto it = impact.find(h.id); it != impact.end())
                x["impact"] = {{"added_s", it->second.added_s}, {"lo_s", it->second.lo_s}, {"hi_s", it->second.hi_s},
                               {"seeds", it->second.seeds}, {"trapped", it->second.trapped}};
            j.push_back(x);
        }
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    std::printf("%-10s %-7s %-12s %-10s %-8s %-12s %-22s %s\n", "id", "level", "status", "deadline", "overdue",
                "adds (s)", "effect", "title");
    for (const Hazard& h : hs) {
        std::string cost = "-";
        if (auto it = impact.find(h.id); it != impact.end())
            cost = it->second.trapped > 0 ? std::to_string(it->second.trapped) + " trapped"
                                          : fmtSeconds(it->second.added_s) + " [" + fmtSeconds(it->second.lo_s) + "," +
                                                fmtSeconds(it->second.hi_s) + "]";
        std::printf("%-10s %-7s %-12s %-10s %-8s %-12s %-22s %s\n", h.id.c_str(), h.level.c_str(), h.status.c_str(),
                    h.deadline.empty() ? "-" : h.deadline.c_str(), h.overdue ? "OVERDUE" : "", cost.c_str(),
                    h.effect.empty() ? "-" : h.effect.c_str(), h.title.c_str());
    }
    std::printf("%zu hazard(s)\n", hs.size());
    return 0;
}

int statsOf(const HazardOptions& o) {
    const auto reg = HazardRegister::open(registerPath(o), false);
    const HazardStats s = reg->stats(o.now);
    if (o.json) {
        nlohmann::ordered_json j;
        j["total"] = s.total;
        j["open"] = s.open;
        j["rectified"] = s.rectified;
        j["rectification_rate"] = s.rectification_rate;
        j["major"] = s.major;
        j["major_open"] = s.major_open;
        j["major_rectification_rate"] = s.major_rectification_rate;
        j["overdue"] = s.overdue;
        j["by_status"] = s.by_status;
        j["by_level"] = s.by_level;
        j["by_domain"] = s.by_domain;
        nlohmann::ordered_json od = nlohmann::ordered_json::array();
        for (const Hazard& h : s.overdue_hazards)
            od.push_back({{"id", h.id}, {"title", h.title}, {"level", h.level}, {"deadline", h.deadline},
                          {"responsible_person", h.responsible_person}, {"status", h.status}});
        j["overdue_hazards"] = od;
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    std::printf("hazards: %d (%d open, %d rectified); major: %d (%d open)\n", s.total, s.open, s.rectified, s.major,
                s.major_open);
    std::printf("rectification rate: %.1f %% (major: %.1f %%)\n", 100 * s.rectification_rate,
                100 * s.major_rectification_rate);
    std::printf("by status:");
    for (const auto& [k, v] : s.by_status) std::printf(" %s %d", k.c_str(), v);
    std::printf("\nby domain:");
    for (const auto& [k, v] : s.by_domain) std::printf(" %s %d", k.c_str(), v);
    std::printf("\noverdue: %d\n", s.overdue);
    for (const Hazard& h : s.overdue_hazards)
        std::printf("  %-10s %-7s due %s  %s (%s)\n", h.id.c_str(), h.level.c_str(), h.deadline.c_str(),
                    h.title.c_str(), h.responsible_person.empty() ? "no one responsible" : h.responsible_person.c_str());
    return 0;
}

}  // namespace

CommandFn addHazardsCommand(CLI::App& app) {
    auto o = std::make_shared<HazardOptions>();
    CLI::App* cmd = app.add_subcommand("hazards", "The hazard register: add, update, list, history, import, export, stats");
    cmd->require_subcommand(1);

    CLI::App* add = cmd->add_subcommand("add", "Add a hazard (fields as options: --title, --level, --found-at, ...)");
    addSource(add, *o);
    addFieldOptions(add, o, true);
    add->add_option("--now", o->now, "the time recorded for the change (default: now, UTC)");

    CLI::App* update = cmd->add_subcommand("update", "Change fields of a hazard; a status change follows the loop");
    update->add_option("id", o->id, "hazard id")->required();
    addSource(update, *o);
    addFieldOptions(update, o, false);
    update->add_option("--note", o->note, "why (needed for a deadline extension)");
    update->add_option("--now", o->now, "the time recorded for the change (default: now, UTC)");

    CLI::App* list = cmd->add_subcommand("list", "List hazards with filters and what each costs in evacuation time");
    addSource(list, *o);
    addFilters(list, *o);
    list->add_flag("--json", o->json, "print JSON");
    list->add_flag("--rank", o->rank, "sort by the evacuation time each adds (`safetwin forecast --impact`)");

    CLI::App* hist = cmd->add_subcommand("history", "Every change of one hazard (or all) with time and author");
    hist->add_option("id", o->id, "hazard id (default: all)");
    addSource(hist, *o);

    CLI::App* imp = cmd->add_subcommand("import", "Import a CSV file in one transaction (new ids added, known ids updated)");
    imp->add_option("file", o->file, "CSV file")->required()->check(CLI::ExistingFile);
    addSource(imp, *o);
    imp->add_option("--author", o->author, "who makes the change (default: $SAFETWIN_AUTHOR or $USER)");
    imp->add_option("--now", o->now, "the time recorded for the change (default: now, UTC)");

    CLI::App* exp = cmd->add_subcommand("export", "Export hazards as CSV (to stdout or --out)");
    addSource(exp, *o);
    addFilters(exp, *o);
    exp->add_option("--out", o->out, "CSV file to write");

    CLI::App* stats = cmd->add_subcommand("stats", "Counts, rectification rate and overdue hazards");
    addSource(stats, *o);
    stats->add_option("--now", o->now, "the time overdue is judged at (default: now, UTC)");
    stats->add_flag("--json", o->json, "print JSON");

    return [o, add, update, list, hist, imp, exp, stats]() {
        const std::string author = o->author.empty() ? defaultAuthor() : o->author;
        if (add->parsed()) {
            const auto reg = HazardRegister::open(registerPath(*o), true);
            Hazard h;
            for (const auto& [c, v] : o->fields) setField(h, c, v, "--" + c);
            if (h.found_at.empty()) h.found_at = (o->now.empty() ? utcNow() : o->now).substr(0, 10);
            const std::string id = reg->add(h, author, o->now);
            std::printf("added %s\n", id.c_str());
            return 0;
        }
        if (update->parsed()) {
            if (o->fields.empty()) throw InputError("hazards update " + o->id + ": nothing to change (give --status, --deadline, ...)");
            const auto reg = HazardRegister::open(registerPath(*o), false);
            reg->update(o->id, o->fields, author, o->note, o->now);
            const auto h = reg->get(o->id, o->now);
            std::printf("%s: %s, version %lld\n", o->id.c_str(), h->status.c_str(), static_cast<long long>(h->version));
            return 0;
        }
        if (list->parsed()) return listHazards(*o);
        if (hist->parsed()) {
            const auto reg = HazardRegister::open(registerPath(*o), false);
            if (!o->id.empty() && !reg->get(o->id)) throw InputError("no hazard '" + o->id + "' in " + reg->path());
            for (const HistoryEntry& e : reg->history(o->id))
                std::printf("%s  %-10s %-10s %-9s %s%s%s%s\n", e.at.c_str(), e.hazard_id.c_str(), e.author.c_str(),
                            e.action.c_str(), e.field.c_str(),
                            (": " + (e.old_value.empty() ? std::string("-") : e.old_value) + " -> " + e.new_value).c_str(),
                            e.note.empty() ? "" : "  # ", e.note.c_str());
            return 0;
        }
        if (imp->parsed()) {
            std::ifstream in(o->file, std::ios::binary);
            std::stringstream ss;
            ss << in.rdbuf();
            const auto reg = HazardRegister::open(registerPath(*o), true);
            const auto [added, updated] = reg->importCsv(ss.str(), o->file, author, o->now);
            std::printf("imported %s: %d added, %d updated\n", o->file.c_str(), added, updated);
            return 0;
        }
        if (exp->parsed()) {
            const auto reg = HazardRegister::open(registerPath(*o), false);
            const std::string csv = reg->exportCsv(filterOf(*o));
            if (o->out.empty()) std::fwrite(csv.data(), 1, csv.size(), stdout);
            else writeFileAtomic(o->out, csv);
            return 0;
        }
        if (stats->parsed()) return statsOf(*o);
        return 0;
    };
}

}  // namespace safetwin
