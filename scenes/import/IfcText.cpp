// Attributes of an IFC file that assimp does not import (a door's OverallWidth, a storey's
// Elevation, a space's LongName, the length unit, the schema), read from the STEP text: one
// pass over its entity instances, splitting at ';' outside quoted strings.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "scenes/import/RawModel.hpp"

namespace safetwin::import {

namespace {

/// Top-level arguments of "NAME(a,b,(c,d),'e')": {"a", "b", "(c,d)", "'e'"}.
std::vector<std::string> arguments(const std::string& s, size_t open) {
    std::vector<std::string> args;
    int depth = 0;
    bool quoted = false;
    std::string cur;
    for (size_t i = open + 1; i < s.size(); ++i) {
        const char c = s[i];
        if (quoted) {
            cur += c;
            if (c == '\'') {
                if (i + 1 < s.size() && s[i + 1] == '\'') { cur += s[++i]; continue; }
                quoted = false;
            }
            continue;
        }
        if (c == '\'') { quoted = true; cur += c; continue; }
        if (c == '(') ++depth;
        if (c == ')') {
            if (depth == 0) { args.push_back(cur); return args; }
            --depth;
        }
        if (c == ',' && depth == 0) { args.push_back(cur); cur.clear(); continue; }
        if (!std::isspace(static_cast<unsigned char>(c))) cur += c;
    }
    args.push_back(cur);
    return args;
}

std::string unquote(const std::string& a) {
    if (a.size() >= 2 && a.front() == '\'' && a.back() == '\'') return a.substr(1, a.size() - 2);
    return "";
}

bool number(const std::string& a, double& v) {
    if (a.empty() || a == "$" || a == "*") return false;
    char* end = nullptr;
    v = std::strtod(a.c_str(), &end);
    return end && *end == '\0';
}

void utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) out += char(cp);
    else if (cp < 0x800) { out += char(0xC0 | (cp >> 6)); out += char(0x80 | (cp & 0x3F)); }
    else { out += char(0xE0 | (cp >> 12)); out += char(0x80 | ((cp >> 6) & 0x3F)); out += char(0x80 | (cp & 0x3F)); }
}

}  // namespace

std::string decodeIfcString(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s.compare(i, 3, "\\S\\") == 0 && i + 3 < s.size()) {
            utf8(out, unsigned(static_cast<unsigned char>(s[i + 3])) + 128u);
            i += 3;
        } else if (s.compare(i, 4, "\\X2\\") == 0) {
            size_t j = i + 4;
            while (j + 4 <= s.size() && s[j] != '\\') {
                utf8(out, unsigned(std::strtoul(s.substr(j, 4).c_str(), nullptr, 16)));
                j += 4;
            }
            i = s.compare(j, 4, "\\X0\\") == 0 ? j + 3 : j - 1;
        } else if (s.compare(i, 3, "\\X\\") == 0 && i + 4 < s.size()) {
            utf8(out, unsigned(std::strtoul(s.substr(i + 3, 2).c_str(), nullptr, 16)));
            i += 4;
        } else {
            out += s[i];
        }
    }
    return out;
}

IfcFacts scanIfcText(const std::string& path) {
    IfcFacts f;
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    std::string stmt;
    bool quoted = false;
    // Length units by entity id, and the project's unit assignment "(#42,#43,...)": a file may
    // define several length units but assigns one.
    std::map<std::string, double> lengthUnits;
    std::string assigned;
    auto handle = [&](std::string& st) {
        size_t p = 0;
        while (p < st.size() && std::isspace(static_cast<unsigned char>(st[p]))) ++p;
        if (p >= st.size()) return;
        if (st.compare(p, 11, "FILE_SCHEMA") == 0) {
            const size_t q = st.find('\'', p);
            const size_t r = q == std::string::npos ? q : st.find('\'', q + 1);
            if (r != std::string::npos) f.schema = st.substr(q + 1, r - q - 1);
            return;
        }
        if (st[p] != '#') return;
        const size_t eq = st.find('=', p);
        const size_t open = st.find('(', p);
        if (eq == std::string::npos || open == std::string::npos || open < eq) return;
        std::string id = st.substr(p, eq - p);
        id.erase(std::remove_if(id.begin(), id.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }), id.end());
        std::string name = st.substr(eq + 1, open - eq - 1);
        name.erase(std::remove_if(name.begin(), name.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }), name.end());
        if (name == "IFCDOOR") {
            ++f.doors;
            const auto a = arguments(st, open);
            IfcFacts::Door d;
            d.gid = unquote(a.size() > 0 ? a[0] : "");
            d.name = decodeIfcString(unquote(a.size() > 2 ? a[2] : ""));
            double w = 0.0;
            if (a.size() > 9 && number(a[9], w)) d.width = w;
            f.door_list.push_back(d);
        } else if (name == "IFCSPACE") {
            ++f.spaces;
            const auto a = arguments(st, open);
            f.space_list.push_back({unquote(a.size() > 0 ? a[0] : ""), decodeIfcString(unquote(a.size() > 2 ? a[2] : "")),
                                    decodeIfcString(unquote(a.size() > 7 ? a[7] : ""))});
        } else if (name == "IFCBUILDINGSTOREY") {
            ++f.storeys;
            const auto a = arguments(st, open);
            IfcFacts::StoreyFact s;
            s.gid = unquote(a.size() > 0 ? a[0] : "");
            s.name = decodeIfcString(unquote(a.size() > 2 ? a[2] : ""));
            s.has = a.size() > 9 && number(a[9], s.elevation);
            f.storey_list.push_back(s);
        } else if (name == "IFCSIUNIT") {
            const auto a = arguments(st, open);
            if (a.size() > 3 && a[1] == ".LENGTHUNIT." && a[3] == ".METRE.") {
                static const std::pair<const char*, double> prefixes[] = {
                    {".MILLI.", 1e-3}, {".CENTI.", 1e-2}, {".DECI.", 1e-1}, {".KILO.", 1e3}};
                double unit = 1.0;
                for (const auto& [pre, scale] : prefixes)
                    if (a[2] == pre) unit = scale;
                lengthUnits[id] = unit;
            }
        } else if (name == "IFCUNITASSIGNMENT") {
            const auto a = arguments(st, open);
            if (!a.empty()) assigned = a[0];
        } else if (name == "IFCCONVERSIONBASEDUNIT") {
            const auto a = arguments(st, open);
            if (a.size() > 2 && a[1] == ".LENGTHUNIT.") {
                std::string u = unquote(a[2]);
                std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return char(std::toupper(c)); });
                if (u.find("FOOT") != std::string::npos || u.find("FEET") != std::string::npos) lengthUnits[id] = 0.3048;
                else if (u.find("INCH") != std::string::npos) lengthUnits[id] = 0.0254;
            }
        }
    };
    stmt.reserve(4096);
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (!quoted && c == '/' && i + 1 < text.size() && text[i + 1] == '*') {  // a comment
            const size_t end = text.find("*/", i + 2);
            if (end == std::string::npos) break;
            i = end + 1;
            continue;
        }
        if (c == '\'') quoted = !quoted;  // '' inside a string toggles twice
        if (c == ';' && !quoted) {
            handle(stmt);
            stmt.clear();
            continue;
        }
        if (c != '\n' && c != '\r') stmt += c;
    }
    for (const auto& [id, unit] : lengthUnits)
        if (assigned.empty() || lengthUnits.size() == 1 || assigned.find(id + ",") != std::string::npos ||
            assigned.find(id + ")") != std::string::npos)
            f.length_unit = unit;
    return f;
}

}  // namespace safetwin::import
