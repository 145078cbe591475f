// ISA-18.2 alarm logic of one sensor (see SensorAlarm.hpp).
#include "live/feed/SensorAlarm.hpp"

namespace safetwin::live {

Condition evaluateCondition(const SensorLimits& l, double v, const Condition& prev) {
    const double db = l.deadband;
    // In a condition at least as severe as `sev` in this direction already: the limit is left
    // only below (above) limit - deadband (+ deadband).
    auto held = [&](Severity sev, bool high) {
        return prev.severity != Severity::None && prev.high == high && prev.severity >= sev;
    };
    auto over = [&](const std::optional<double>& lim, Severity sev) {
        return lim && (v >= *lim || (held(sev, true) && v > *lim - db));
    };
    auto under = [&](const std::optional<double>& lim, Severity sev) {
        return lim && (v <= *lim || (held(sev, false) && v < *lim + db));
    };
    if (over(l.alarm_high, Severity::Alarm)) return {Severity::Alarm, true};
    if (under(l.alarm_low, Severity::Alarm)) return {Severity::Alarm, false};
    if (over(l.warning_high, Severity::Warning)) return {Severity::Warning, true};
    if (under(l.warning_low, Severity::Warning)) return {Severity::Warning, false};
    // An alarm limit without a warning limit still holds its deadband from the alarm.
    return {};
}

void SensorAlarm::enter(SensorState& s, AlarmState st, double now,
                        std::vector<AlarmEvent>& journal) {
    s.alarm = st;
    journal.push_back({now, s.id, st, s.severity, s.high, last_value_});
}

void SensorAlarm::settle(SensorState& s, double now, std::vector<AlarmEvent>& journal) {
    if (raw_ == effective_) return;
    const bool escalates = raw_.severity > effective_.severity ||
                           (raw_.severity == effective_.severity && raw_.high != effective_.high);
    const double delay = escalates ? s.limits.on_delay_s : s.limits.off_delay_s;
    if (now - raw_since_ < delay) return;
    const Condition before = effective_;
    effective_ = raw_;
    if (s.alarm == AlarmState::Shelved) {
        // Shelved: the condition is tracked, nothing is annunciated.
        if (effective_.severity != Severity::None) {
            s.severity = effective_.severity;
            s.high = effective_.high;
        }
        return;
    }
    if (effective_.severity == Severity::None) {
        // Return to normal: acknowledged alarms clear, unacknowledged ones wait for the ack.
        if (s.alarm == AlarmState::ActiveAcknowledged) {
            enter(s, AlarmState::Normal, now, journal);
            s.severity = Severity::None;
        } else if (s.alarm == AlarmState::ActiveUnacknowledged)
            enter(s, AlarmState::ReturnedUnacknowledged, now, journal);
        return;
    }
    const bool worse = before.severity == Severity::None || escalates;
    s.severity = effective_.severity;
    s.high = effective_.high;
    if (worse || s.alarm == AlarmState::Normal || s.alarm == AlarmState::ReturnedUnacknowledged)
        enter(s, AlarmState::ActiveUnacknowledged, now, journal);  // new or more severe
    else
        journal.push_back({now, s.id, s.alarm, s.severity, s.high, last_value_});  // de-escalated
}

void SensorAlarm::update(SensorState& s, double value, double now,
                         std::vector<AlarmEvent>& journal) {
    last_value_ = value;
    const Condition c = evaluateCondition(s.limits, value, raw_);
    if (!(c == raw_)) {
        raw_ = c;
        raw_since_ = now;
    }
    settle(s, now, journal);
}

void SensorAlarm::tick(SensorState& s, double now, std::vector<AlarmEvent>& journal) {
    settle(s, now, journal);
}

bool SensorAlarm::acknowledge(SensorState& s, double now, std::vector<AlarmEvent>& journal) {
    if (s.alarm == AlarmState::ActiveUnacknowledged) {
        enter(s, AlarmState::ActiveAcknowledged, now, journal);
        return true;
    }
    if (s.alarm == AlarmState::ReturnedUnacknowledged) {
        enter(s, AlarmState::Normal, now, journal);
        s.severity = Severity::None;
        return true;
    }
    return false;
}

void SensorAlarm::shelve(SensorState& s, bool on, double now, std::vector<AlarmEvent>& journal) {
    if (on) {
        if (s.alarm != AlarmState::Shelved) enter(s, AlarmState::Shelved, now, journal);
        return;
    }
    if (s.alarm != AlarmState::Shelved) return;
    if (effective_.severity == Severity::None) {
        s.severity = Severity::None;
        enter(s, AlarmState::Normal, now, journal);
    } else {
        s.severity = effective_.severity;
        s.high = effective_.high;
        enter(s, AlarmState::ActiveUnacknowledged, now, journal);
    }
}

}  // namespace safetwin::live
