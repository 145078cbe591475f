// The overlay windows (see Overlay.hpp).
#include "render/Overlay.hpp"

#include <imgui.h>
#include <backends/imgui_impl_opengl3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "render/RendererGeometry.hpp"
#include "render/gl/Gl.hpp"

namespace safetwin::render {

namespace {

constexpr ImGuiWindowFlags kPanel = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                    ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                    ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoInputs;

ImU32 colour(const std::array<float, 3>& c, float a = 1.0f) { return ImGui::GetColorU32(ImVec4(c[0], c[1], c[2], a)); }

void swatch(const std::array<float, 3>& c, const char* label) {
    const float h = ImGui::GetTextLineHeight();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::GetWindowDrawList()->AddRectFilled(p, ImVec2(p.x + h * 1.4f, p.y + h), colour(c));
    ImGui::Dummy(ImVec2(h * 1.4f, h));
    ImGui::SameLine();
    ImGui::TextUnformatted(label);
}

/// A horizontal colour ramp with its end labels.
template <class F>
void ramp(F colourAt, const char* lo, const char* hi) {
    const float h = ImGui::GetTextLineHeight();
    const float w = h * 10;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    constexpr int kSteps = 24;
    for (int k = 0; k < kSteps; ++k) {
        const auto c = colourAt((k + 0.5) / kSteps);
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x + w * k / kSteps, p.y), ImVec2(p.x + w * (k + 1) / kSteps + 0.5f, p.y + h),
                                                  colour({c[0], c[1], c[2]}));
    }
    ImGui::Dummy(ImVec2(w, h));
    ImGui::TextUnformatted(lo);
    ImGui::SameLine(std::max(0.0f, w - ImGui::CalcTextSize(hi).x + ImGui::GetStyle().WindowPadding.x));
    ImGui::TextUnformatted(hi);
}

/// The clock's bold font in the current context's atlas (loaded by loadOverlayFonts), or null.
ImFont* boldFont() {
    ImFontAtlas* atlas = ImGui::GetIO().Fonts;
    for (ImFont* f : atlas->Fonts)
        if (std::string(f->GetDebugName()).rfind("DejaVuSans-Bold.ttf", 0) == 0) return f;
    return nullptr;
}

}  // namespace

std::string clockText(double s) {
    if (!std::isfinite(s) || s < 0) s = 0;
    char buf[32];
    if (s >= 3600) {
        const long t = long(s);
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    } else {
        const int m = int(s / 60);
        std::snprintf(buf, sizeof buf, "%02d:%04.1f", m, s - 60 * m);
    }
    return buf;
}

void* loadOverlayFonts(float base) {
    ImGuiIO& io = ImGui::GetIO();
    const char* regular = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    const char* bold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
    if (std::filesystem::exists(regular)) io.Fonts->AddFontFromFileTTF(regular, base);
    else io.Fonts->AddFontDefault();
    return std::filesystem::exists(bold) ? io.Fonts->AddFontFromFileTTF(bold, base * 2.0f) : nullptr;
}

void overlayWindows(const Frame& frame, const DrawOptions& draw, const OverlayOptions& o, int width, int height) {
    const float s = std::clamp(o.scale, 0.5f, 8.0f);
    const float pad = 12.0f * s;
    ImFont* bold = boldFont();
    ImGui::SetNextWindowBgAlpha(0.6f);
    if (o.clock || o.counters || !o.title.empty()) {
        ImGui::SetNextWindowPos(ImVec2(pad, pad));
        ImGui::Begin("##clock", nullptr, kPanel);
        ImGui::SetWindowFontScale(s);
        if (!o.title.empty()) ImGui::TextUnformatted(o.title.c_str());
        if (o.clock) {
            if (bold) ImGui::PushFont(bold);
            ImGui::SetWindowFontScale(s * (o.big ? 1.8f : 1.0f) * (bold ? 1.0f : 2.0f));
            ImGui::Text("%s", clockText(frame.time).c_str());
            if (bold) ImGui::PopFont();
            ImGui::SetWindowFontScale(s * (o.big ? 1.8f : 1.0f));
        }
        if (o.counters) {
            ImGui::Text("out %d / %d", frame.out, frame.total);
            ImGui::Text("remaining %d", frame.remaining);
            if (!frame.gas_name.empty() || frame.exposed > 0) {
                ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.0f, 1.0f), "exposed %d", frame.exposed);
                ImGui::TextColored(ImVec4(1.0f, 0.3f, 0.3f, 1.0f), "incapacitated %d", frame.incapacitated);
            }
        }
        ImGui::End();
    }
    if (!o.legend) return;
    ImGui::SetNextWindowBgAlpha(0.6f);
    ImGui::SetNextWindowPos(ImVec2(pad, float(height) - pad), ImGuiCond_Always, ImVec2(0.0f, 1.0f));
    ImGui::Begin("##legend", nullptr, kPanel);
    ImGui::SetWindowFontScale(s);
    char lo[32], hi[32];
    switch (draw.colour_by) {
        case ColourBy::State:
            ImGui::TextUnformatted("people");
            for (AgentVisual v : {AgentVisual::Waiting, AgentVisual::Moving, AgentVisual::Exposed, AgentVisual::Incapacitated, AgentVisual::Trapped})
                swatch(stateColour(v), stateName(v));
            break;
        case ColourBy::Speed:
            ImGui::TextUnformatted("speed");
            std::snprintf(hi, sizeof hi, "%.1f m/s", draw.speed_max);
            ramp([&](double t) { return rampColour(t); }, "0", hi);
            break;
        case ColourBy::Dose:
            ImGui::TextUnformatted("dose (FED)");
            std::snprintf(hi, sizeof hi, "%.2g", draw.dose_max);
            ramp([&](double t) { return rampColour(t); }, "0", hi);
            break;
    }
    if (draw.show_density) {
        ImGui::Separator();
        ImGui::TextUnformatted("density, Fruin level of service");
        static const char* kLos[6] = {"A  < 0.31 /m2", "B  < 0.43", "C  < 0.72", "D  < 1.08", "E  < 2.17", "F  above"};
        for (int l = 0; l < 6; ++l) swatch(fruinColour(l), kLos[l]);
    }
    if (draw.show_gas && !frame.gas_ppm.empty() && frame.gas_threshold_ppm > 0) {
        ImGui::Separator();
        ImGui::Text("%s at breathing height", frame.gas_name.empty() ? "gas" : frame.gas_name.c_str());
        const double thr = frame.gas_threshold_ppm;
        std::snprintf(lo, sizeof lo, "%.3g ppm", thr / 100);
        std::snprintf(hi, sizeof hi, "%.3g ppm", thr * 100);
        ramp([&](double t) {
                 const auto c = gasColour(thr * std::pow(10.0, t * 4.0 - 2.0), thr);
                 return std::array<float, 3>{c[0], c[1], c[2]};
             },
             lo, hi);
        if (draw.show_gas_surface && frame.gas_volume) ImGui::Text("surface: %.3g ppm", thr);
    }
    if (!frame.sensors.empty() && draw.show_markers) {
        ImGui::Separator();
        ImGui::TextUnformatted("sensors");
        SensorSample s0;
        s0.quality = SensorQuality::Good;
        for (AlarmState a : {AlarmState::Normal, AlarmState::Warning, AlarmState::Active}) {
            s0.alarm = a;
            swatch(sensorColour(s0), a == AlarmState::Normal ? "normal" : a == AlarmState::Warning ? "warning" : "alarm");
        }
        s0.quality = SensorQuality::Unknown;
        swatch(sensorColour(s0), "unknown / stale");
    }
    if (!frame.hazards.empty() && draw.show_markers) {
        ImGui::Separator();
        swatch({0.9f, 0.12f, 0.12f}, "major hazard");
        swatch({0.59f, 0.24f, 0.78f}, "overdue hazard");
        swatch({1.0f, 0.59f, 0.12f}, "open hazard");
    }
    ImGui::End();
    (void)width;
}

struct OffscreenOverlay::Impl {
    ImGuiContext* context = nullptr;
};

OffscreenOverlay::OffscreenOverlay() : impl_(std::make_unique<Impl>()) {
    ImGuiContext* previous = ImGui::GetCurrentContext();
    impl_->context = ImGui::CreateContext();
    ImGui::SetCurrentContext(impl_->context);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    loadOverlayFonts(16.0f);
    ImGui_ImplOpenGL3_Init("#version 330");
    ImGui::SetCurrentContext(previous);
}

OffscreenOverlay::~OffscreenOverlay() {
    ImGuiContext* previous = ImGui::GetCurrentContext();
    ImGui::SetCurrentContext(impl_->context);
    ImGui_ImplOpenGL3_Shutdown();
    ImGui::DestroyContext(impl_->context);
    ImGui::SetCurrentContext(previous == impl_->context ? nullptr : previous);
}

void OffscreenOverlay::draw(const Frame& frame, const DrawOptions& draw, const OverlayOptions& options, int width, int height) {
    ImGuiContext* previous = ImGui::GetCurrentContext();
    ImGui::SetCurrentContext(impl_->context);
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(float(width), float(height));
    io.DeltaTime = 1.0f / 30.0f;
    // Auto-sized windows take their size on their first frame and show from the second.
    for (int pass = 0; pass < 2; ++pass) {
        ImGui_ImplOpenGL3_NewFrame();
        ImGui::NewFrame();
        overlayWindows(frame, draw, options, width, height);
        ImGui::Render();
    }
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    ImGui::SetCurrentContext(previous);
}

}  // namespace safetwin::render
