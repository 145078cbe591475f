// One sensor's alarm logic, ISA-18.2 / IEC 62682 style: warning and alarm limits (high and
// low) with a deadband, on-delay and off-delay so a noisy value does not chatter, and the alarm
// state machine (normal, active unacknowledged/acknowledged, returned-to-normal unacknowledged,
// shelved). Quality is handled by the caller: the logic only runs on good values.
#pragma once

#include <optional>
#include <vector>

#include "live/feed/LiveState.hpp"

namespace safetwin::live {

/// The condition of a value against the limits: which limit is exceeded, and in which direction.
struct Condition {
    Severity severity = Severity::None;
    bool high = true;
    bool operator==(const Condition& o) const {
        return severity == o.severity && (severity == Severity::None || high == o.high);
    }
};

/// Condition of `value` given the previous raw condition `prev`: a limit is entered when the
/// value reaches it and left only when it is back by more than the deadband (ISA-18.2 5.4).
Condition evaluateCondition(const SensorLimits& limits, double value, const Condition& prev);

/// The alarm part of a SensorState with the timers the delays need.
class SensorAlarm {
  public:
    /// Feeds a good value at feed time `now`; appends state transitions to `journal`.
    void update(SensorState& s, double value, double now, std::vector<AlarmEvent>& journal);
    /// Applies on/off delays that expire without a new value.
    void tick(SensorState& s, double now, std::vector<AlarmEvent>& journal);
    /// Operator acknowledgement; false if there was nothing to acknowledge.
    bool acknowledge(SensorState& s, double now, std::vector<AlarmEvent>& journal);
    /// Shelve (true) or unshelve (false).
    void shelve(SensorState& s, bool on, double now, std::vector<AlarmEvent>& journal);

  private:
    void settle(SensorState& s, double now, std::vector<AlarmEvent>& journal);
    void enter(SensorState& s, AlarmState st, double now, std::vector<AlarmEvent>& journal);

    Condition raw_;         // condition of the latest value (with deadband)
    double raw_since_ = 0;  // feed time raw_ was entered
    Condition effective_;   // condition after the on/off delays
    double last_value_ = 0;
};

}  // namespace safetwin::live
