#include "sim/gas/Gases.hpp"

#include <algorithm>
#include <cctype>

namespace safetwin {

namespace {

std::vector<GasProperties> makeTable() {
    std::vector<GasProperties> t;
    auto add = [&](GasProperties g) { t.push_back(std::move(g)); };
    {
        GasProperties g;
        g.id = "ammonia"; g.formula = "NH3"; g.molar_mass = 0.017031; g.heat_capacity_ratio = 1.31;
        g.aegl2[0] = 220; g.aegl2[1] = 220; g.aegl2[2] = 160;
        g.aegl3[0] = 2700; g.aegl3[1] = 1600; g.aegl3[2] = 1100;
        g.idlh = 300; g.lel_percent = 15; g.uel_percent = 28;
        g.probit = ProbitConstants{-15.6, 1.0, 2.0};
        g.dense = true;
        g.dense_note = "ammonia is lighter than air when warm, but a flashing liquid release forms a cold aerosol cloud denser than air";
        add(g);
    }
    {
        GasProperties g;
        g.id = "chlorine"; g.formula = "Cl2"; g.molar_mass = 0.070906; g.heat_capacity_ratio = 1.34;
        g.aegl2[0] = 2.8; g.aegl2[1] = 2.8; g.aegl2[2] = 2.0;
        g.aegl3[0] = 50; g.aegl3[1] = 28; g.aegl3[2] = 20;
        g.idlh = 10;
        g.probit = ProbitConstants{-6.35, 0.5, 2.75};
        g.dense = true;
        g.dense_note = "chlorine is 2.4 times as dense as air: it slumps and spreads along the ground";
        add(g);
    }
    {
        GasProperties g;
        g.id = "hydrogen_sulfide"; g.formula = "H2S"; g.molar_mass = 0.03408; g.heat_capacity_ratio = 1.32;
        g.aegl2[0] = 41; g.aegl2[1] = 32; g.aegl2[2] = 27;
        g.aegl3[0] = 76; g.aegl3[1] = 59; g.aegl3[2] = 50;
        g.idlh = 100; g.lel_percent = 4.0; g.uel_percent = 44;
        g.dense = true;
        g.dense_note = "hydrogen sulfide is 1.18 times as dense as air";
        add(g);
    }
    {
        GasProperties g;
        g.id = "carbon_monoxide"; g.formula = "CO"; g.molar_mass = 0.02801; g.heat_capacity_ratio = 1.40;
        g.aegl2[0] = 420; g.aegl2[1] = 150; g.aegl2[2] = 83;
        g.aegl3[0] = 1700; g.aegl3[1] = 600; g.aegl3[2] = 330;
        g.idlh = 1200; g.lel_percent = 12.5; g.uel_percent = 74;
        g.purser_co = true;
        add(g);
    }
    {
        GasProperties g;
        g.id = "methane"; g.formula = "CH4"; g.molar_mass = 0.016043; g.heat_capacity_ratio = 1.31;
        g.lel_percent = 5; g.uel_percent = 15;
        g.dense = true;
        g.dense_note = "LNG vapour is denser than air while cold (below about -110 C)";
        add(g);
    }
    {
        GasProperties g;
        g.id = "propane"; g.formula = "C3H8"; g.molar_mass = 0.044097; g.heat_capacity_ratio = 1.13;
        for (int d = 0; d < 3; ++d) { g.aegl2[d] = 17000; g.aegl3[d] = 33000; }
        g.idlh = 2100; g.lel_percent = 2.1; g.uel_percent = 9.5;
        g.dense = true;
        g.dense_note = "propane is 1.5 times as dense as air";
        add(g);
    }
    {
        GasProperties g;
        g.id = "hydrogen"; g.formula = "H2"; g.molar_mass = 0.002016; g.heat_capacity_ratio = 1.41;
        g.lel_percent = 4; g.uel_percent = 75;
        add(g);
    }
    return t;
}

const std::vector<GasProperties>& table() {
    static const std::vector<GasProperties> t = makeTable();
    return t;
}

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    std::replace(s.begin(), s.end(), ' ', '_');
    std::replace(s.begin(), s.end(), '-', '_');
    return s;
}

}  // namespace

double GasProperties::defaultTenabilityPpm() const {
    if (idlh) return *idlh;
    if (aegl3[0]) return *aegl3[0];
    return lel_percent.value_or(100.0) * 1e4 * 0.1;
}

const GasProperties* findGas(const std::string& name) {
    std::string n = lower(name);
    if (n == "h2s") n = "hydrogen_sulfide";
    if (n == "co") n = "carbon_monoxide";
    if (n == "lng" || n == "natural_gas") n = "methane";
    for (const GasProperties& g : table())
        if (g.id == n || lower(g.formula) == n) return &g;
    return nullptr;
}

std::vector<std::string> gasNames() {
    std::vector<std::string> names;
    for (const GasProperties& g : table()) names.push_back(g.id);
    return names;
}

}  // namespace safetwin
