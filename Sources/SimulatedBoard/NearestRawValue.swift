/// The raw value in `range` whose `compensated` value is nearest `target`, by bisection: how the
/// chip models run a datasheet's compensation backwards. `compensated` must be monotonic over
/// the range (rising, or falling as pressure does against its raw reading).
func nearestRawValue(
  in range: Range<Int32>, target: Double, compensated: (Int32) -> Double
) -> Int32 {
  let isRising = compensated(range.upperBound - 1) >= compensated(range.lowerBound)
  var low = range.lowerBound
  var high = range.upperBound - 1
  while low < high {
    let middle = low + (high - low) / 2
    if (compensated(middle) < target) == isRising { low = middle + 1 } else { high = middle }
  }
  guard low > range.lowerBound else { return low }
  let below = low - 1
  let isBelowNearer = abs(compensated(below) - target) < abs(compensated(low) - target)
  return isBelowNearer ? below : low
}
