/* A form's field errors in words (lib/fielderrors.js): {key: [zh, en]}. */
export const FIELD_WORDS = {
  "sep": ["：", ": "],
  "join": ["；", "; "],
  "required": ["必填", "required"],
  "tooShort": ["至少 {n} 个字符", "at least {n} characters"],
  "tooLong": ["最多 {n} 个字符", "at most {n} characters"],
  "int": ["请填整数", "a whole number"],
  "min": ["不能小于 {min}", "at least {min}"],
  "max": ["不能大于 {max}", "at most {max}"],
  "format": ["格式不对", "not in the expected form"],
  "choice": ["请从列表中选择", "choose one from the list"],
  "date": ["请填日期，例如 2026-12-01", "a date, e.g. 2026-12-01"],
  "invalid": ["填写有误", "not valid"],
  "unknownUnit": ["本小区没有这个房号，请按“楼-单元-楼层户号”填写，例如 1-2-1502", "no such flat at this site: write it as building-entrance-floorflat, e.g. 1-2-1502"],
};
