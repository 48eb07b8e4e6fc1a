/** What the bot says on its own (not from the dialogue engine). Simplified Chinese. */
export const WORDING = {
  apology: '抱歉，系统暂时出现问题，请稍后再试；如有急事，请拨打12345政务服务便民热线。',
  tooLong: (max: number) => `您的消息太长了，请精简到${max}字以内再发送，或分几次说明。`,
  emptyMention: '您好，我是“一号答”政策咨询助手。请在@我之后直接写出您的问题，例如“怎么申请政府信息公开？”',
  rateLimited: (seconds: number) =>
    `您发送消息太频繁了，请${seconds}秒后再试。为了让更多群众及时得到答复，每位用户每分钟可提问的次数有限，感谢理解。`,
  feedbackThanks: (helpful: boolean) =>
    helpful ? '感谢您的反馈！很高兴能帮到您。' : '感谢您的反馈，我们会据此改进答复。您也可以换个说法再问，或回复“人工”转人工服务。',
  nonText: (what: string) =>
    `抱歉，我暂时无法识别${what}。目前我只能回答文字消息，请直接用文字描述您的问题，例如“社保断缴了怎么补缴？”`,
  groupContactPrivacy: '提示：群里的人都能看到您发的内容，请不要在群里发手机号，回复“跳过”即可；部门答复后我会发给您。',
  money: '本服务由政府提供，完全免费，不接收转账或红包，请勿向任何人转账。如有问题，请直接用文字描述。',
  caseHeading: {
    case_reply: '【办理答复】',
    case_update: '【工单进度】',
    interpretation: '【政策解读】',
    notice: '【通知】',
  },
} as const;
